from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "expedite.portal"
    label = "portal"
    verbose_name = _("客户进度页")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from django.db.models.signals import post_save

        from expedite.cases.models import Case
        from expedite.cases.panels import Panel, register_panel
        from expedite.notify.links import register_client_page

        from .links import client_page
        from .sections import register_section
        from .signals import issue_first_link
        from .staff_views import portal_context
        from .views import files_section, milestones_section

        register_client_page(client_page)
        register_panel(Panel("portal", 150, "portal/_case_section.html", portal_context, half=True))
        post_save.connect(issue_first_link, sender=Case, dispatch_uid="portal_first_link")
        register_section(
            Panel("milestones", 300, "portal/_milestones_section.html", milestones_section)
        )
        register_section(Panel("files", 700, "portal/_files_section.html", files_section))
