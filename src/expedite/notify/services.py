"""Putting messages in the outbox. Sending them is the outbox job's (see delivery.py)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotFound

from .models import Channel, OutboxMessage, Status
from .tasks import outbox_send_now

log = logging.getLogger(__name__)


def enqueue(
    *,
    key: str,
    channel: str,
    subject: str,
    body: str,
    now: dt.datetime,
    recipient: str = "",
    user=None,
    case=None,
    link: str = "",
    said: dict | None = None,
    language: str = "zh-hans",
    contact=None,
    template: str = "",
    variables: dict | None = None,
) -> tuple[OutboxMessage, bool]:
    """Store a message once per key; returns (row, created). Call it inside the transaction
    of the action that causes the message, so the message exists exactly when the action does.
    `said`: the message as phrases (said.py), for a reader in another language; `language`:
    the one `subject` and `body` are written in. A text message: `template` (an SmsKind) and
    its `variables`; `contact`: the client contact it is for.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = OutboxMessage.objects.create(
                key=key,
                channel=channel,
                recipient=recipient,
                user=user,
                case=case,
                subject=subject[:200],
                body=body,
                link=link[:300],
                said=said or {},
                language=language,
                contact=contact,
                template=template,
                variables=variables or {},
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        # Another worker stored the same key a moment ago.
        return OutboxMessage.objects.get(key=key), False
    _send_soon()
    return row, True


def _kick_sender() -> None:
    try:
        outbox_send_now()
    except Exception:
        # The queue being down must not fail the action: the minute job sends the row.
        log.exception("could not enqueue outbox_send_now")


def _send_soon() -> None:
    """Once the action's transaction commits, ask a worker to send at once rather than at the
    next minute. One request per transaction, however many messages it stored."""
    connection = transaction.get_connection()
    pending = getattr(connection, "run_on_commit", [])
    if any(entry[1] is _kick_sender for entry in pending):
        return
    transaction.on_commit(_kick_sender)


def notifications_mark_read(*, user, now: dt.datetime, pk: int | None = None) -> int:
    """Mark one of the user's in-app messages read (or all of them when `pk` is None).

    Not audited: reading a notification changes no business state. Someone else's message is
    simply not found, which changes nothing.
    """
    rows = OutboxMessage.objects.filter(channel=Channel.INAPP, user=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=now)


def _held(pk: int) -> OutboxMessage:
    row = OutboxMessage.objects.select_for_update().filter(pk=pk, status=Status.HELD).first()
    if row is None:
        raise NotFound(_("这条消息不在暂停中（可能已被处理）。"))
    return row


@transaction.atomic
def outbox_resend(*, pk: int, actor, now: dt.datetime) -> OutboxMessage:
    """A person decided a held message should go (again): it is sent at the next run."""
    row = _held(pk)
    row.status, row.next_attempt_at = Status.PENDING, now
    row.save(update_fields=["status", "next_attempt_at"])
    audit_record(
        kind=AuditKind.OUTBOX_RESENT,
        actor=actor,
        case=row.case,
        payload={"message": row.pk, "channel": row.channel, "error": row.last_error[:200]},
    )
    _send_soon()
    return row


@transaction.atomic
def outbox_mark_sent(*, pk: int, actor, now: dt.datetime) -> OutboxMessage:
    """A person confirmed a held message reached its recipient (or need not): it is closed
    without sending it again."""
    row = _held(pk)
    row.status, row.sent_at = Status.SENT, now
    row.save(update_fields=["status", "sent_at"])
    audit_record(
        kind=AuditKind.OUTBOX_MARKED_SENT,
        actor=actor,
        case=row.case,
        payload={"message": row.pk, "channel": row.channel, "error": row.last_error[:200]},
    )
    return row
