from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "expedite.learning"
    label = "learning"
    verbose_name = _("满意度与复盘")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.cases.lifecycle import register_guard
        from expedite.cases.panels import Panel, register_panel
        from expedite.cases.services import register_catalog_reviser
        from expedite.portal.sections import register_section

        from .catalog import catalog_in_force_text
        from .guards import retrospective_before_closing
        from .portal import portal_context as portal_section
        from .services import RETRO_STATES
        from .views import retrospective_context

        # Written after delivery, below the work: loads once scrolled into view.
        register_panel(
            Panel(
                "retrospective",
                1100,
                "learning/_case_section.html",
                retrospective_context,
                visible=lambda request, case: case.state in RETRO_STATES,
                lazy=True,
            )
        )
        register_guard(retrospective_before_closing)
        register_catalog_reviser(catalog_in_force_text)
        register_section(Panel("survey", 100, "learning/_portal_section.html", portal_section))
