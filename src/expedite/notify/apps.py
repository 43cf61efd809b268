from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "expedite.notify"
    label = "notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        # Models and views load only once the app registry is ready.
        from expedite.audit.services import register_listener
        from expedite.cases.panels import Panel, register_panel

        from .selectors import client_messages_context
        from .webhooks import on_audit_event

        # Outbound webhooks hear of events in the transaction that records them.
        register_listener(on_audit_event)

        # What the client was told, how, and whether it arrived: loads once scrolled to.
        register_panel(
            Panel(
                "client-messages",
                1150,
                "notify/_case_messages.html",
                client_messages_context,
                lazy=True,
            )
        )
