from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "expedite.reviews"
    label = "reviews"
    verbose_name = _("双重复核")

    def ready(self) -> None:
        from expedite.cases.lifecycle import register_guard

        from .guards import review_before_delivery

        register_guard(review_before_delivery)
