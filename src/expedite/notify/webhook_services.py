"""Writes for webhook endpoints: save (create or change), renew the secret, send a test.
Administrators only; one transaction and one audit event each."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.roles import Capability
from expedite.domain.text import clean_text

from . import webhooks
from .models import WebhookEndpoint

MAX_URL = 500


def _require(actor) -> None:
    if not user_can(actor, Capability.MANAGE_WEBHOOKS):
        raise NotAllowed(gettext_noop("只有系统管理员可以管理 Webhook。"))


def check_url(raw: str) -> str:
    url = clean_text(raw, field="url", label=gettext_noop("接收地址"), max_length=MAX_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(
            gettext_noop("接收地址应以 http:// 或 https:// 开头，并包含主机名。"), field="url"
        )
    if parts.username or parts.password:
        raise ValidationFailed(
            gettext_noop("接收地址中不能包含用户名或密码；对方用签名验证来源。"), field="url"
        )
    if any(ch.isspace() for ch in url):
        raise ValidationFailed(gettext_noop("接收地址不能包含空格。"), field="url")
    return url


def check_events(events: list[str]) -> list[str]:
    chosen = [e for e in webhooks.SUBSCRIBABLE if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationFailed(gettext_noop("请至少选择一种事件。"), field="events")
    return chosen


@transaction.atomic
def webhook_save(
    *, actor, name: str, url: str, events: list[str], active: bool = True, endpoint=None
) -> WebhookEndpoint:
    _require(actor)
    name = clean_text(name, field="name", label=gettext_noop("名称"), max_length=100)
    url, events = check_url(url), check_events(events)
    if endpoint is None:
        endpoint = WebhookEndpoint(
            secret=webhooks.new_secret(), created_by=actor, created_at=clock.now()
        )
    else:
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.name, endpoint.url, endpoint.events, endpoint.active = name, url, events, active
    endpoint.save()
    audit_record(
        kind=AuditKind.WEBHOOK_SAVED,
        actor=actor,
        payload={
            "endpoint_id": endpoint.pk,
            "name": name,
            "url": url,
            "events": events,
            "active": active,
        },
    )
    return endpoint


@transaction.atomic
def webhook_secret_renew(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    _require(actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = webhooks.new_secret()
    endpoint.save(update_fields=["secret"])
    audit_record(
        kind=AuditKind.WEBHOOK_SECRET_RENEWED, actor=actor, payload={"endpoint_id": endpoint.pk}
    )
    return endpoint


@transaction.atomic
def webhook_test(*, actor, endpoint: WebhookEndpoint) -> None:
    _require(actor)
    if not endpoint.active:
        raise ValidationFailed(gettext_noop("该接收地址已停用，请先启用。"), field="active")
    row = webhooks.send_test(endpoint)
    audit_record(
        kind=AuditKind.WEBHOOK_TESTED,
        actor=actor,
        payload={"endpoint_id": endpoint.pk, "delivery": row.key},
    )
