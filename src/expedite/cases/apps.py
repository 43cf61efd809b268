from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "expedite.cases"
    label = "cases"
    verbose_name = _("客户与加急单")

    def ready(self) -> None:
        from .pdfsafe import reportlab_offline

        reportlab_offline()
