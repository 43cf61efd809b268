from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "expedite.requests"
    label = "requests"
    verbose_name = _("客户在线申请")

    def ready(self) -> None:
        from . import messages  # noqa: F401 - registers the hand-off's phrases
