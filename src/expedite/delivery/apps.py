from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "expedite.delivery"
    label = "delivery"
    verbose_name = _("结果交付")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from django.contrib import admin

        from expedite.cases.lifecycle import register_follower, register_guard
        from expedite.cases.panels import Panel, register_panel
        from expedite.portal.sections import register_next_steps, register_section

        from .guards import confirmed_only_by_the_client
        from .portal import portal_context as portal_section
        from .portal import portal_next_steps
        from .services import tell_client_delivered
        from .views import delivery_context

        register_panel(Panel("delivery", 1200, "delivery/_case_section.html", delivery_context))
        register_guard(confirmed_only_by_the_client)
        register_follower(tell_client_delivered)
        # The administrators' page says when signatures are made with a self-signed certificate.
        admin.site.index_template = "delivery/admin_index.html"
        register_section(Panel("delivery", 500, "delivery/_portal_section.html", portal_section))
        register_next_steps("delivery", 500, portal_next_steps)
