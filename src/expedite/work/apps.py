from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "expedite.work"
    label = "work"
    verbose_name = _("人员与办理进度")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.approvals.services import register_decision_follower
        from expedite.cases.lifecycle import register_follower
        from expedite.cases.panels import Panel, register_panel
        from expedite.portal.sections import register_projection

        from .hooks import on_transition
        from .portal import projected_finish
        from .steps import steps_skip_after_decision
        from .views import work_context

        register_panel(Panel("work", 400, "work/_case_section.html", work_context))
        register_follower(on_transition)
        register_projection(projected_finish)
        register_decision_follower(steps_skip_after_decision)
