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

        from .guards import review_before_delivery
        from .views import review_context

        register_panel(Panel("reviews", 500, "reviews/_case_section.html", review_context))
        register_guard(review_before_delivery)
