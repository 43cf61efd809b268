"""One-time codes by text message: sent at once, within the per-number limits, or not at all.

A code is a password for ten minutes, so it does not wait in the outbox for a retry: the
client is on the page waiting for it, and a code that arrives late is useless. It is sent
while the client waits and recorded in the outbox with the code itself masked; a provider
that refuses or does not answer is said to the client, who can ask again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from expedite.domain.errors import ValidationFailed
from expedite.domain.sms import TEMPLATES, SmsKind, limit_reached, mainland_mobile, parse_limits
from expedite.workdays.selectors import firm_calendar

from .errors import ChannelError
from .models import Channel, OutboxMessage, Status
from .sms import Outgoing, provider

MASK = "******"


PUBLIC = "request"  # the public request page's purpose: codes anyone may ask for


def _budget(purpose: str) -> Q:
    """Codes the public page sends count apart from those of the firm's own pages, so asking
    the public page for codes cannot lock a client out of its portal or a handover."""
    public = Q(key__startswith=f"code:{PUBLIC}:")
    return public if purpose.split(":")[0] == PUBLIC else ~public


def code_limit(phone: str, *, now: dt.datetime, purpose: str = "") -> dt.datetime | None:
    """When another code for `purpose` may go to `phone`, or None when it may go now."""
    limits = parse_limits(settings.EXPEDITE_SMS_CODE_LIMITS)
    longest = max(limit.window for limit in limits)
    sent = list(
        OutboxMessage.objects.filter(
            _budget(purpose),
            channel=Channel.SMS,
            recipient=phone,
            template=SmsKind.CODE.value,
            created_at__gt=now - longest,
        ).values_list("created_at", flat=True)
    )
    reached = limit_reached(sent, now=now, limits=limits)
    return reached[1] if reached else None


def _lock_number(phone: str) -> None:
    """Two requests for one number count its codes one after the other. SQLite writes one
    transaction at a time already; PostgreSQL takes a lock on the number until commit."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"sms-code:{phone}".encode()).digest()[:8], "big")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key - (1 << 63)])


def code_text(
    *, phone: str, code: str, now: dt.datetime, purpose: str, case=None, contact=None
) -> OutboxMessage:
    """Send `code` to `phone` now, inside the caller's transaction (which must be one); the
    record of it (code
    masked) is returned. Raises ValidationFailed — and the caller's transaction changes
    nothing — for a number that is not a mainland mobile, a number over its limits, or a
    provider that did not take the message. `purpose` names what the code is for, in the key.
    """
    number = mainland_mobile(phone)
    if number is None:
        raise ValidationFailed(_("请填写有效的中国大陆手机号码。"), field="phone")
    _lock_number(number)
    again = code_limit(number, now=now, purpose=purpose)
    if again is not None:
        local = again.astimezone(firm_calendar().tz)
        raise ValidationFailed(
            _("这个号码的验证码发送太频繁，请于 %(time)s 之后再试。"),
            field="phone",
            params={"time": local.strftime("%Y-%m-%d %H:%M")},
        )
    key = f"code:{purpose}:{now.strftime('%Y%m%d%H%M%S')}:{secrets.token_hex(4)}"
    try:
        ref = provider().send(
            Outgoing(phone=number, kind=SmsKind.CODE, variables={"code": code}, reference=key)
        )
    except ChannelError as exc:
        raise ValidationFailed(_("短信暂时发送不出去，请稍后再试，或联系为您办理的专员。")) from exc
    text = TEMPLATES[SmsKind.CODE].subject({})
    return OutboxMessage.objects.create(
        key=key,
        channel=Channel.SMS,
        recipient=number,
        case=case,
        contact=contact,
        subject=text,
        body=text,
        template=SmsKind.CODE.value,
        variables={"code": MASK},
        provider_ref=ref[:100],
        status=Status.SENT,
        attempts=1,
        next_attempt_at=now,
        created_at=now,
        sent_at=now,
    )
