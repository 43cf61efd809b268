from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustodyConfig(AppConfig):
    name = "expedite.custody"
    label = "custody"
    verbose_name = _("证照印章保管")
