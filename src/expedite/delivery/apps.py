from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "expedite.delivery"
    label = "delivery"
    verbose_name = _("结果交付")

    def ready(self) -> None:
        from expedite.cases.lifecycle import register_guard

        from .guards import confirmed_only_by_the_client

        register_guard(confirmed_only_by_the_client)
        # The administrators' page says when signatures are made with a self-signed certificate.
        from django.contrib import admin

        admin.site.index_template = "delivery/admin_index.html"
