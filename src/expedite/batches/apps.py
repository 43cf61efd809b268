from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchesConfig(AppConfig):
    name = "expedite.batches"
    label = "batches"
    verbose_name = _("批量申请")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.cases.panels import Panel, register_panel

        from .views import case_batch_panel, in_a_batch

        # Above the case's own plan: the request it is part of, and the batch's one plan.
        register_panel(
            Panel("batch", 250, "batches/_case_panel.html", case_batch_panel, visible=in_a_batch)
        )
