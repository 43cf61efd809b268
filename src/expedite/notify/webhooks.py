"""Outbound webhooks: the firm's other systems hear of chosen events, signed.

Every action writes an audit event inside its transaction; `on_audit_event` turns the ones a
receiver can subscribe to into one outbox row per subscribed active endpoint, in the same
transaction (a rolled-back action sends nothing). The body is fixed then; the outbox sends it
with retries and backoff (`send_webhook`), and each attempt is recorded.

Signature (docs/integration.md): `X-Expedite-Signature: sha256=<hex>` where hex is
HMAC-SHA256(secret, f"{timestamp}.{body}"), `timestamp` being `X-Expedite-Timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from expedite import clock
from expedite.domain.audit import AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import gettext_noop

from .errors import ChannelDropped, ChannelError, ChannelRefused
from .models import Channel, OutboxMessage, WebhookAttempt, WebhookEndpoint

# The events a receiver can subscribe to, with their names for people.
EVENTS = {
    "case.created": gettext_noop("新建加急单"),
    "case.state_changed": gettext_noop("加急单状态变化"),
    "case.triaged": gettext_noop("完成研判"),
    "case.delivered": gettext_noop("交付结果"),
    "case.confirmed": gettext_noop("客户确认结果"),
    "incident.raised": gettext_noop("上报异常"),
    "test": gettext_noop("测试事件"),
}
SUBSCRIBABLE = [k for k in EVENTS if k != "test"]

# Answers worth trying again: the receiver was busy or briefly down.
RETRY_STATUSES = {408, 425, 429}
# Why an attempt got no answer, as stored (before a colon) and as shown to administrators.
NO_ANSWER = {
    "timeout": gettext_noop("超时未答复"),
    "refused": gettext_noop("对方拒绝连接"),
    "unreachable": gettext_noop("无法连接"),
}
SIGNATURE_HEADER = "X-Expedite-Signature"
TIMESTAMP_HEADER = "X-Expedite-Timestamp"


def _kinds(event) -> list[str]:
    """The webhook events an audit event stands for."""
    kind = event.kind
    if kind in (AuditKind.CASE_CREATED, AuditKind.CASE_REQUESTED):
        return ["case.created"]
    if kind == AuditKind.CASE_STATE_CHANGED:
        delivered = (event.payload or {}).get("to") == "delivered"
        return ["case.state_changed", *(["case.delivered"] if delivered else [])]
    if kind == AuditKind.CASE_TRIAGED:
        return ["case.triaged"]
    if kind == AuditKind.DELIVERY_CONFIRMED:
        return ["case.confirmed"]
    if kind == AuditKind.INCIDENT_RAISED:
        return ["incident.raised"]
    return []


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def new_secret() -> str:
    return secrets.token_hex(32)


def _case_facts(case) -> dict:
    if case is None:
        return {}
    path = reverse("case_detail", args=[case.pk])
    return {
        "case": {
            "reference": case.reference,
            "state": case.state,
            "service": case.service.code,
            "requested_deadline": case.requested_deadline.isoformat(),
            "url": settings.EXPEDITE_PUBLIC_URL.rstrip("/") + path,
        }
    }


def _body(kind: str, event_id: str, occurred, case, data: dict) -> str:
    payload = {
        "id": event_id,
        "event": kind,
        "occurred_at": occurred.astimezone(SHANGHAI).isoformat(timespec="seconds"),
        **_case_facts(case),
        "data": data,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def _data(event) -> dict:
    """What of the audit payload a receiver gets: the state change or the incident's kind,
    not people's details nor staff's own words."""
    payload = event.payload or {}
    if event.kind == AuditKind.INCIDENT_RAISED:
        return {"incident_kind": payload.get("kind"), "impact_hours": payload.get("impact_hours")}
    return {k: payload[k] for k in ("from", "to", "verdict", "severity") if k in payload}


def delivery_key(endpoint: WebhookEndpoint, event_id: str, kind: str) -> str:
    """The outbox key, sent as X-Expedite-Delivery: the same on every retry."""
    return f"hook:{endpoint.pk}:{event_id}:{kind}"


def enqueue(endpoint: WebhookEndpoint, *, kind: str, event_id: str, body: str, case, now):
    """One delivery through the outbox, once per endpoint and event, sent once the action
    commits."""
    # Local: services reaches this module through tasks → delivery → channels.
    from .services import enqueue as outbox_enqueue

    row, _created = outbox_enqueue(
        key=delivery_key(endpoint, event_id, kind),
        channel=Channel.WEBHOOK,
        recipient=str(endpoint.pk),
        case=case,
        subject=kind,
        body=body,
        now=now,
    )
    return row


def event_bodies(event) -> list[tuple[str, str, str]]:
    """(webhook event, event id, body) for each webhook event an audit event stands for."""
    event_id = f"evt_{event.seq}"
    return [
        (kind, event_id, _body(kind, event_id, event.time, event.case, _data(event)))
        for kind in _kinds(event)
    ]


def on_audit_event(event) -> None:
    """Audit listener: queue the event for every active endpoint subscribed to it."""
    kinds = _kinds(event)
    if not kinds:
        return
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(active=True) if set(e.events) & set(kinds)
    ]
    for kind, event_id, body in event_bodies(event) if endpoints else []:
        for endpoint in endpoints:
            if kind in endpoint.events:
                enqueue(
                    endpoint,
                    kind=kind,
                    event_id=event_id,
                    body=body,
                    case=event.case,
                    now=event.time,
                )


def send_test(endpoint: WebhookEndpoint) -> OutboxMessage:
    """A test event for the endpoint, whatever it subscribes to (the 发送测试事件 button)."""
    now = clock.now()
    event_id = f"test_{secrets.token_hex(6)}"
    body = _body("test", event_id, now, None, {"endpoint": endpoint.name})
    return enqueue(endpoint, kind="test", event_id=event_id, body=body, case=None, now=now)


def _record(row, endpoint, started: float, *, status: int | None = None, error: str = ""):
    WebhookAttempt.objects.create(
        message=row,
        endpoint=endpoint,
        at=clock.now(),
        status_code=status,
        error=error[:300],
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _no_answer(exc: Exception) -> str:
    reason = getattr(exc, "reason", exc)  # URLError wraps the socket's error
    if isinstance(reason, TimeoutError):
        return "timeout"
    if isinstance(reason, ConnectionRefusedError):
        return "refused"
    return "unreachable"


def attempt_outcome(attempt: WebhookAttempt) -> str:
    """An attempt's answer for administrators: the HTTP status, or why there was none."""
    if attempt.status_code:
        return f"HTTP {attempt.status_code}"
    return _(NO_ANSWER.get(attempt.error.split(":", 1)[0], NO_ANSWER["unreachable"]))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would resend the event as a GET, unsigned, possibly to another host: it is
    # the receiver's answer (held for a person), never followed.
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def send_webhook(row: OutboxMessage) -> str:
    """POST the row's body, signed. 2xx: sent. 408/425/429, 5xx, timeout, refused
    connection: retried with backoff. Other 4xx and any redirect: held (the receiver refuses
    it, or has moved: a person checks the address)."""
    endpoint = WebhookEndpoint.objects.filter(pk=int(row.recipient or 0)).first()
    if endpoint is None or not endpoint.active:
        raise ChannelDropped("endpoint disabled")
    body = row.body.encode("utf-8")
    timestamp = str(int(clock.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked when saved
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Expedite-Webhook/1",
            "X-Expedite-Event": row.subject,
            "X-Expedite-Delivery": row.key,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    timeout = settings.EXPEDITE_WEBHOOK_TIMEOUT_SECONDS
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        _record(row, endpoint, started, status=exc.code, error=str(exc.reason))
        if exc.code >= 500 or exc.code in RETRY_STATUSES:
            raise ChannelError(f"HTTP {exc.code}") from None
        raise ChannelRefused(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, http.client.HTTPException, OSError) as exc:
        _record(row, endpoint, started, error=f"{_no_answer(exc)}: {type(exc).__name__}: {exc}")
        raise ChannelError(str(exc)) from None
    _record(row, endpoint, started, status=status)
    return ""
