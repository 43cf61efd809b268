from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "expedite.feeds"
    label = "feeds"
    verbose_name = _("日历订阅")
