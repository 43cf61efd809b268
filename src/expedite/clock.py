"""The one place Expedite reads the time.

Everything that decides takes `now` as an argument: the domain core, services, selectors,
jobs. Only the edges — a request, a job run, a command — ask this module for the instant they
act at, and pass it down. So a test, a simulation or a demo laid out at a given instant sets
the time in one place, and nothing behind the caller's back reads another.

The test suite pins the instant (time-machine) and arms `require_pinned`, so an edge that
asks for the time in a test that did not pin it fails loudly instead of depending on the hour
it happens to run at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from expedite.domain.calendar import SHANGHAI


class UnpinnedClock(RuntimeError):
    """The clock was read where the instant must be pinned (the test suite)."""


_pinned: Callable[[], bool] | None = None


def require_pinned(check: Callable[[], bool] | None) -> None:
    """Refuse to answer unless `check()` is true (None lifts the requirement).

    The test suite installs a check that a pinned instant is in force.
    """
    global _pinned
    _pinned = check


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    if _pinned is not None and not _pinned():
        raise UnpinnedClock(
            "The clock was read without a pinned instant; pin one (the `clock` fixture, "
            "pytest.mark.clock) or mark the test real_clock."
        )
    return dt.datetime.now(dt.UTC)


def local_now(tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    """The current instant in the firm's time zone."""
    return now().astimezone(tz)


def today(tz: dt.tzinfo = SHANGHAI) -> dt.date:
    """The firm's calendar date now: after 16:00 UTC it is already tomorrow in Shanghai."""
    return local_now(tz).date()
