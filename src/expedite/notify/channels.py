"""Sending one outbox row over its channel. Raise on any failure (errors.py says what the
outbox does with each); return the channel's id for the message where it gives one."""

from __future__ import annotations

import json
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

from expedite.domain.outbox import message_id
from expedite.domain.sms import SmsKind

from . import sms, wecom_app
from .errors import ChannelError, ChannelRefused
from .models import Channel, OutboxMessage
from .webhooks import send_webhook

# 企业微信 refuses markdown content over 4096 bytes.
WECOM_MAX_BYTES = 4096


def _mail_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip(">") if "@" in sender else "localhost"


def send_email(row: OutboxMessage) -> None:
    if not row.recipient:
        raise ChannelError("no e-mail address")
    mail = EmailMessage(
        subject=row.subject,
        body=row.body,
        to=[row.recipient],
        headers={"Message-ID": message_id(row.key, _mail_domain())},
    )
    mail.send(fail_silently=False)


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


def send_wecom(row: OutboxMessage) -> None:
    url = settings.EXPEDITE_WECOM_WEBHOOK_URL
    if not url:
        # Not configured yet: keep the message until someone sets the URL.
        raise ChannelError("EXPEDITE_WECOM_WEBHOOK_URL is not set")
    content = _truncate_utf8(f"**{row.subject}**\n\n{row.body}", WECOM_MAX_BYTES)
    payload = {"msgtype": "markdown", "markdown": {"content": content}}
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own setting
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    timeout = settings.EXPEDITE_WECOM_TIMEOUT_SECONDS
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        status = response.status
        raw = response.read(65536)
    if status != 200:
        raise ChannelError(f"HTTP {status}")
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise ChannelError(f"not JSON: {raw[:200]!r}") from exc
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        errmsg = answer.get("errmsg") if isinstance(answer, dict) else None
        raise ChannelError(f"errcode {errcode}: {errmsg}")


def send_inapp(row: OutboxMessage) -> None:
    """The row is the notification: delivering it only needs someone to read it."""
    if row.user_id is None:
        raise ChannelError("in-app message without a user")


def send_sms(row: OutboxMessage) -> str:
    try:
        kind = SmsKind(row.template)
    except ValueError as exc:
        raise ChannelRefused(f"not a text message template: {row.template!r}") from exc
    message = sms.Outgoing(
        phone=row.recipient, kind=kind, variables=dict(row.variables), reference=row.key
    )
    return sms.provider().send(message)


def send_wecom_app(row: OutboxMessage) -> str:
    url = settings.EXPEDITE_PUBLIC_URL.rstrip("/") + (row.link or "/")
    return wecom_app.send_card(
        userid=row.recipient, title=row.subject, description=row.body, url=url
    )


SENDERS = {
    Channel.EMAIL: send_email,
    Channel.WECOM: send_wecom,
    Channel.INAPP: send_inapp,
    Channel.SMS: send_sms,
    Channel.WECOM_APP: send_wecom_app,
    Channel.WEBHOOK: send_webhook,
}


def send(row: OutboxMessage) -> str:
    """Send the row; returns the channel's id for the message, or "" where it gives none."""
    return SENDERS[Channel(row.channel)](row) or ""


__all__ = ["ChannelError", "send"]
