from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "expedite.kpi"
    label = "kpi"
    verbose_name = _("经营指标")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from django.db.models.signals import post_delete, post_save

        from expedite.cases.lifecycle import register_follower
        from expedite.cases.models import Case, ServiceType
        from expedite.cases.panels import Panel, register_panel
        from expedite.learning.models import Feedback
        from expedite.materials.models import PreReview
        from expedite.monitoring.models import Incident
        from expedite.reviews.models import Review, ReviewFinding

        from . import rollups
        from .models import Delivery, DeliveryError
        from .services import on_transition
        from .views import kpi_case_context

        register_panel(Panel("delivery-errors", 600, "kpi/_case_section.html", kpi_case_context))
        register_follower(on_transition)
        # A month's kept figures go when a record counted in them changes (rollups.py).
        for model, handler in (
            (Case, rollups.case_changed),
            (Delivery, rollups.delivery_changed),
            (DeliveryError, rollups.case_part_changed),
            (ReviewFinding, rollups.finding_changed),
            (Review, rollups.review_changed),
            (ServiceType, rollups.forget_all),
            (Feedback, rollups.dated_by("created_at")),
            (PreReview, rollups.dated_by("started_at")),
            (Incident, rollups.dated_by("raised_at")),
        ):
            uid = f"kpi-month-{model.__name__}"
            post_save.connect(handler, sender=model, dispatch_uid=f"{uid}-save", weak=False)
            post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
