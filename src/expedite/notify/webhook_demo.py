"""Demo webhook: the firm's finance system registered for deliveries and confirmations. Its
address is a placeholder on this machine, so it is disabled (nothing tries to reach it when
the demo runs) and carries the deliveries it received before: one after a retry, one at once.
Idempotent."""

from __future__ import annotations

import datetime as dt
import json

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind

from .models import Channel, OutboxMessage, Status, WebhookAttempt, WebhookEndpoint
from .webhook_services import webhook_save
from .webhooks import delivery_key, event_bodies

NAME = "财务系统（示例，未启用）"
EVENTS = ["case.delivered", "case.confirmed"]


def _past_delivery(endpoint, event, state: str, answers: list[tuple[int, int]]) -> None:
    """Each answer is (HTTP status, milliseconds); attempts a minute apart, as the backoff.
    The body names the case's state at the event (it has moved on since)."""
    for kind, event_id, text in event_bodies(event):
        if kind not in endpoint.events:
            continue
        payload = json.loads(text)
        payload["case"]["state"] = state
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        sent = event.time + dt.timedelta(minutes=len(answers) - 1, seconds=1)
        row = OutboxMessage.objects.create(
            key=delivery_key(endpoint, event_id, kind),
            channel=Channel.WEBHOOK,
            recipient=str(endpoint.pk),
            case=event.case,
            subject=kind,
            body=body,
            status=Status.SENT,
            attempts=len(answers),
            next_attempt_at=sent,
            created_at=event.time,
            sent_at=sent,
            last_error="HTTP 503" if len(answers) > 1 else "",
        )
        for n, (status, ms) in enumerate(answers):
            WebhookAttempt.objects.create(
                message=row,
                endpoint=endpoint,
                at=event.time + dt.timedelta(minutes=n, seconds=1),
                status_code=status,
                error="Service Unavailable" if status >= 500 else "",
                duration_ms=ms,
            )


def webhook_demo_load(*, admin) -> None:
    if WebhookEndpoint.objects.filter(name=NAME).exists():
        return
    endpoint = webhook_save(
        actor=admin,
        name=NAME,
        url="http://127.0.0.1:9/expedite-events",
        events=EVENTS,
        active=False,
    )
    events = AuditEvent.objects.filter(case__isnull=False).order_by("-seq")
    delivered = events.filter(kind=AuditKind.CASE_STATE_CHANGED, payload__to="delivered").first()
    confirmed = events.filter(kind=AuditKind.DELIVERY_CONFIRMED).first()
    if delivered is not None:
        _past_delivery(endpoint, delivered, "delivered", [(503, 30), (200, 41)])
    if confirmed is not None:
        _past_delivery(endpoint, confirmed, "confirmed", [(200, 38)])
