from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "expedite.ops"
    label = "ops"
    verbose_name = _("运行状态")

    def ready(self) -> None:
        # Registers the Huey tasks and periodic schedules with the configured queue.
        from expedite import jobs  # noqa: F401
