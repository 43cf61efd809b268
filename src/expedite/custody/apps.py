from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustodyConfig(AppConfig):
    name = "expedite.custody"
    label = "custody"
    verbose_name = _("证照印章保管")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.cases.panels import Panel, register_panel
        from expedite.portal.sections import register_next_steps, register_section

        from .views import custody_context, portal_next_steps
        from .views import portal_context as portal_section

        register_panel(Panel("custody", 700, "custody/_case_section.html", custody_context))
        register_section(Panel("custody", 200, "custody/_portal.html", portal_section))
        register_next_steps("custody", 200, portal_next_steps)
