from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "expedite.records"
    label = "records"
    verbose_name = _("案卷与留存")
