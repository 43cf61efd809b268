from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "expedite.materials"
    label = "materials"
    verbose_name = _("材料预审")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.audit.verify import register_file_source
        from expedite.cases.panels import Panel, register_panel
        from expedite.portal.sections import register_next_steps, register_section

        from .portal import portal_context as portal_section
        from .portal import portal_next_steps
        from .selectors import stored_versions
        from .views import materials_context

        register_panel(Panel("materials", 900, "materials/_case_section.html", materials_context))
        register_section(Panel("materials", 600, "materials/_portal_section.html", portal_section))
        register_next_steps("materials", 600, portal_next_steps)
        register_file_source("materials", stored_versions)
