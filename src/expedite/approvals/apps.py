from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "expedite.approvals"
    label = "approvals"
    verbose_name = _("审批")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.cases.lifecycle import register_guard
        from expedite.cases.panels import Panel, register_panel

        from .guards import approval_guard
        from .views import approvals_context

        register_panel(Panel("approvals", 800, "approvals/_case_section.html", approvals_context))
        register_guard(approval_guard)
