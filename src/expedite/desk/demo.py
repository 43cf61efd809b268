"""Demo data: today's morning digest for every staff member, so 我的消息 is not empty."""

from __future__ import annotations

import datetime as dt

from expedite.custody.selectors import staff_users

from .digest import digest_create


def notify_demo_load(*, now: dt.datetime) -> int:
    """Idempotent: the digest key (person and date) is stored once."""
    return sum(digest_create(user, now=now) for user in staff_users())
