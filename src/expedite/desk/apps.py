from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "expedite.desk"
    label = "desk"
    verbose_name = _("看板")

    def ready(self) -> None:
        # The digest's phrases render wherever a digest is shown, whichever module ran first.
        from . import messages  # noqa: F401
