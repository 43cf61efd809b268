from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "expedite.reviews"
    label = "reviews"
    verbose_name = _("双重复核")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.cases.lifecycle import register_guard
        from expedite.cases.panels import Panel, register_panel
        from expedite.work.steps import register_step_guard

        from .guards import review_before_delivery, submission_check_before_filing
        from .views import review_context, submission_context

        register_panel(
            Panel("submission", 450, "reviews/_submission_section.html", submission_context)
        )
        register_panel(Panel("reviews", 500, "reviews/_case_section.html", review_context))
        register_guard(review_before_delivery)
        register_step_guard(submission_check_before_filing)
