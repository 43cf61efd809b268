"""Sending the outbox: claim a row, send it, mark it sent; on failure, retry later.

Several workers may run at once (Huey on Redis, or a second host). Each row is claimed with a
conditional UPDATE that only one of them can win; a worker that dies keeps its claim only
until the lease runs out, then another worker takes the row. Rows are never deleted: a
channel that stays down leaves them pending, retried with exponential backoff.

A worker killed after the channel accepted a message but before the row was marked sent
will send that message again (at least once, never zero); the e-mail Message-ID is derived
from the key so the repeat is recognisable as the same message.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db.models import F, Q

from expedite.domain.outbox import retry_delay

from .channels import send
from .errors import ChannelDropped, ChannelRefused, ChannelUncertain
from .models import OutboxMessage, Status

log = logging.getLogger(__name__)

ERROR_MAX_CHARS = 1000


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EXPEDITE_OUTBOX_LEASE_SECONDS)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def due_ids(*, now: dt.datetime, batch: int) -> list[int]:
    return list(
        OutboxMessage.objects.filter(_claimable(now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )


def claim(pk: int, *, worker: str, now: dt.datetime) -> bool:
    """Take the row for `worker` until now + lease; False when another worker has it."""
    won = OutboxMessage.objects.filter(_claimable(now), pk=pk).update(
        claimed_by=worker, claimed_until=now + _lease()
    )
    return won == 1


def _mine(pk: int, worker: str):
    return OutboxMessage.objects.filter(pk=pk, status=Status.PENDING, claimed_by=worker)


def deliver_one(pk: int, *, worker: str, now: dt.datetime, clock: dt.datetime | None = None) -> str:
    """Claim, send and settle one row; returns "sent", "failed", "held", "dropped", "lost" or
    "skipped".

    `clock` is the current time for the claim (defaults to `now`); the retry schedule counts
    from `now`, the run's start, so it stays on whole minutes.
    """
    clock = clock or now
    if not claim(pk, worker=worker, now=clock):
        return "skipped"
    row = OutboxMessage.objects.get(pk=pk)
    try:
        provider_ref = send(row)
    except ChannelDropped as exc:
        _mine(pk, worker).update(
            status=Status.DROPPED,
            last_error=str(exc)[:ERROR_MAX_CHARS],
            claimed_by="",
            claimed_until=None,
        )
        return "dropped"
    except (ChannelRefused, ChannelUncertain) as exc:
        # No retry can help, or a retry could send it twice: a person decides (outbox page).
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        log.warning("outbox %s held after attempt %s: %s", row.key, row.attempts + 1, error)
        # Its receipt may have come while we waited for the answer: then it went out.
        if (
            _mine(pk, worker)
            .filter(delivered_at__isnull=False)
            .update(status=Status.SENT, sent_at=clock, claimed_by="", claimed_until=None)
        ):
            return "sent"
        _mine(pk, worker).update(
            status=Status.HELD,
            attempts=F("attempts") + 1,
            last_error=error,
            claimed_by="",
            claimed_until=None,
        )
        return "held"
    except Exception as exc:  # any channel error, timeout or refused connection
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        log.warning("outbox %s attempt %s failed: %s", row.key, row.attempts + 1, error)
        _mine(pk, worker).update(
            attempts=F("attempts") + 1,
            last_error=error,
            next_attempt_at=now + retry_delay(row.attempts + 1),
            claimed_by="",
            claimed_until=None,
        )
        return "failed"
    marked = _mine(pk, worker).update(
        status=Status.SENT,
        sent_at=clock,
        claimed_by="",
        claimed_until=None,
        last_error="",
        provider_ref=provider_ref[:100],
    )
    if not marked:
        # Our lease ran out mid-send and another worker took the row over.
        log.warning("outbox %s: sent, but the claim had passed to another worker", row.key)
        return "lost"
    return "sent"


def deliver_due(*, now: dt.datetime, worker: str, batch: int = 100) -> dict:
    """Send up to `batch` rows that are due at `now`; returns counts per outcome.

    Each row is claimed just before it is sent, at `now` plus the time this run has taken,
    so a long batch never holds a lease that was granted minutes before the send.
    """
    started = time.monotonic()
    counts = {"sent": 0, "failed": 0, "held": 0, "lost": 0, "skipped": 0, "dropped": 0}
    for pk in due_ids(now=now, batch=batch):
        clock = now + dt.timedelta(seconds=time.monotonic() - started)
        counts[deliver_one(pk, worker=worker, now=now, clock=clock)] += 1
    return counts
