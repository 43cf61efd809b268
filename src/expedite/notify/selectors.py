"""Reading the outbox: a staff member's in-app messages, and the state of the sender."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, QuerySet

from .models import Channel, OutboxMessage, Status


def my_notifications(user) -> QuerySet[OutboxMessage]:
    """In-app messages for `user`, newest first. The row is the notification, whether or not
    the sender has marked it delivered yet."""
    return OutboxMessage.objects.filter(channel=Channel.INAPP, user=user).select_related("case")


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return my_notifications(user).filter(read_at__isnull=True).count()


def outbox_status(*, now: dt.datetime) -> dict:
    """Counts for the ops page and `expedite outbox status`."""
    pending = OutboxMessage.objects.filter(status=Status.PENDING)
    by_channel = {
        row["channel"]: row["n"] for row in pending.values("channel").annotate(n=Count("pk"))
    }
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "pending": pending.count(),
        "due": pending.filter(next_attempt_at__lte=now).count(),
        "failing": pending.filter(attempts__gt=0).count(),
        "claimed": pending.filter(claimed_until__gt=now).count(),
        "sent": OutboxMessage.objects.filter(status=Status.SENT).count(),
        "held": OutboxMessage.objects.filter(status=Status.HELD).count(),
        "by_channel": by_channel,
        "oldest_pending_age_seconds": (
            int((now - oldest).total_seconds()) if oldest is not None else None
        ),
    }


def troubled(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    """Pending messages, those with failed attempts first, most attempts first."""
    return (
        OutboxMessage.objects.filter(status=Status.PENDING)
        .select_related("case", "user")
        .order_by("-attempts", "next_attempt_at", "pk")[:limit]
    )


def held(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    """Messages waiting for a person's decision, oldest first."""
    return (
        OutboxMessage.objects.filter(status=Status.HELD)
        .select_related("case", "user")
        .order_by("created_at", "pk")[:limit]
    )


CASE_MESSAGES_SHOWN = 30


def client_messages_context(request, case) -> dict:
    """The case's messages to the client's contacts, newest first: channel, state, receipt."""
    rows = (
        OutboxMessage.objects.filter(case=case, contact__isnull=False)
        .select_related("contact")
        .order_by("-created_at", "-pk")[: CASE_MESSAGES_SHOWN + 1]
    )
    rows = list(rows)
    return {
        "client_messages": rows[:CASE_MESSAGES_SHOWN],
        "client_messages_more": len(rows) > CASE_MESSAGES_SHOWN,
    }
