from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "expedite.kpi"
    label = "kpi"
    verbose_name = _("经营指标")

    def ready(self) -> None:
        from expedite.cases.lifecycle import register_follower

        from .services import on_transition

        register_follower(on_transition)
