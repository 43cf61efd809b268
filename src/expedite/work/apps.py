from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "expedite.work"
    label = "work"
    verbose_name = _("人员与办理进度")

    def ready(self) -> None:
        from expedite.cases.lifecycle import register_follower

        from .hooks import on_transition

        register_follower(on_transition)
