"""The outbox's retry schedule and message identity: pure rules, no database, no clock."""

from __future__ import annotations

import datetime as dt
import hashlib

BACKOFF_CAP_MINUTES = 60


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most 60.

    Doubling keeps a flapping channel from being hammered; the cap means a channel that comes
    back after a long outage gets its backlog within the hour.
    """
    if attempts < 1:
        raise ValueError("attempts starts at 1")
    # 2**6 = 64 already passes the cap; keep the exponent small for very old rows.
    return dt.timedelta(minutes=min(2 ** min(attempts - 1, 6), BACKOFF_CAP_MINUTES))


def message_id(key: str, domain: str) -> str:
    """A Message-ID that depends only on the outbox key: a message sent again after a crash
    carries the same ID, so mail clients and the recipient's server can recognise it."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.outbox@{domain or 'localhost'}>"
