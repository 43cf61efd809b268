from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "expedite.learning"
    label = "learning"
    verbose_name = _("满意度与复盘")
