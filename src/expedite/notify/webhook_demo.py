"""Demo webhook: the firm's finance system registered for deliveries and confirmations, left
disabled (its address is a placeholder on this machine), so the page shows how one is set up
without anything trying to reach it. Idempotent."""

from __future__ import annotations

from .models import WebhookEndpoint
from .webhook_services import webhook_save

NAME = "财务系统（示例，未启用）"


def webhook_demo_load(*, admin) -> None:
    if WebhookEndpoint.objects.filter(name=NAME).exists():
        return
    webhook_save(
        actor=admin,
        name=NAME,
        url="http://127.0.0.1:9/expedite-events",
        events=["case.delivered", "case.confirmed"],
        active=False,
    )
