from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchesConfig(AppConfig):
    name = "expedite.batches"
    label = "batches"
    verbose_name = _("批量申请")
