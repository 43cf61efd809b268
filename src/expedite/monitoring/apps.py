from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "expedite.monitoring"
    label = "monitoring"
    verbose_name = _("日清与异常")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from django.db.models.signals import post_delete, post_save

        from expedite.cases.lifecycle import register_follower
        from expedite.cases.models import Case
        from expedite.cases.panels import Panel, register_panel
        from expedite.portal.sections import register_section
        from expedite.work.models import StepRun
        from expedite.work.selectors import register_delay_source

        from .models import RiskWarning, StepDelay
        from .portal import portal_context as portal_section
        from .recheck import case_saved, part_deleted, part_saved, warning_saved
        from .selectors import step_delays
        from .views import monitoring_context
        from .watch import warnings_withdraw

        register_panel(
            Panel("monitoring", 1000, "monitoring/_case_section.html", monitoring_context)
        )
        register_section(Panel("reports", 400, "monitoring/_portal_section.html", portal_section))
        register_delay_source(step_delays)
        register_follower(warnings_withdraw)
        # The SLA watch projects again only the cases whose inputs changed (recheck.py).
        post_save.connect(case_saved, sender=Case, dispatch_uid="recheck-case")
        post_save.connect(warning_saved, sender=RiskWarning, dispatch_uid="recheck-warning")
        for model in (StepRun, StepDelay, RiskWarning):
            uid = f"recheck-{model.__name__}"
            if model is not RiskWarning:
                post_save.connect(part_saved, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(part_deleted, sender=model, dispatch_uid=f"{uid}-delete")
