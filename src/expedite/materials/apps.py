from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "expedite.materials"
    label = "materials"
    verbose_name = _("材料预审")
