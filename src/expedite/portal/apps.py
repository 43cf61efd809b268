from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "expedite.portal"
    label = "portal"
    verbose_name = _("客户进度页")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from expedite.cases.models import Case

        from .signals import issue_first_link

        post_save.connect(issue_first_link, sender=Case, dispatch_uid="portal_first_link")
