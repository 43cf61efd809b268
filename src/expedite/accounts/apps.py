from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "expedite.accounts"
    label = "accounts"
    verbose_name = _("员工账号")

    def ready(self) -> None:
        from . import signals  # noqa: F401
