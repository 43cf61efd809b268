from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "expedite.kpi"
    label = "kpi"
    verbose_name = _("经营指标")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.cases.lifecycle import register_follower
        from expedite.cases.panels import Panel, register_panel

        from .services import on_transition
        from .views import kpi_case_context

        register_panel(Panel("delivery-errors", 600, "kpi/_case_section.html", kpi_case_context))
        register_follower(on_transition)
