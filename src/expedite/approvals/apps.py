from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "expedite.approvals"
    label = "approvals"
    verbose_name = _("审批")

    def ready(self) -> None:
        from expedite.cases.lifecycle import register_guard

        from .guards import approval_guard

        register_guard(approval_guard)
