"""When the SLA watch must look at a running case again, from its projection alone.

With the steps, delays and deadline unchanged, the projected end at a later point w of the
working-time axis is max(end now, w + drift): finished steps keep their times and every
unfinished one ends no sooner than the axis reaches it. So the conditions (late, low slack)
and the figures their reasons state (the finish to the minute, the slack to a tenth of an
hour) can change only at points computed here; between them a case need not be projected.
"""

from __future__ import annotations

from collections.abc import Iterable

from .progress import StepStatus, project

HOUR_US = 3_600_000_000


def end_drift(steps: Iterable[StepStatus], now_us: int) -> tuple[int, int] | None:
    """(end, drift): the projected end at any later point w is max(end, w + drift), while
    the steps stay as they are; None when every step is finished (or there is none)."""
    steps = list(steps)
    if all(s.finished_us is not None for s in steps):
        return None
    end = project(steps, now_us).end
    probe = max(end, now_us)
    return end, project(steps, probe).end - probe  # drift >= 0: some step is unfinished


def recheck_at(
    steps: Iterable[StepStatus], now_us: int, *, deadline_us: int, threshold_us: int
) -> int | None:
    """The first point of the axis after `now_us` at which the risk conditions or their
    stated figures may differ from those at `now_us`; None when only an input can change
    them (every step finished, or no step)."""
    found = end_drift(steps, now_us)
    if found is None:
        return None
    return recheck_from(*found, now_us, deadline_us=deadline_us, threshold_us=threshold_us)


def recheck_from(end: int, drift: int, now_us: int, *, deadline_us: int, threshold_us: int) -> int:
    """`recheck_at` from `end_drift` taken at or before `now_us`."""
    end = max(end, now_us + drift)
    moves_from = end - drift
    if moves_from > now_us:
        return moves_from + 1  # the end stands still until the axis reaches moves_from
    slack = deadline_us - end
    if slack >= threshold_us:
        return now_us + slack - threshold_us + 1  # slack falls under the threshold
    if slack < 0:
        return now_us + 1  # late and moving: the stated finish changes every working minute
    return now_us + min(slack + 1, slack - _tenth_drops_at(slack))


def _tenth_drops_at(slack_us: int) -> int:
    """The largest slack below `slack_us` whose hours, rounded to a tenth as the reason
    states them, differ from those of `slack_us` (rounding is monotone, so one search near
    the half-tenth edge finds it)."""
    shown = round(slack_us / HOUR_US, 1)
    edge = int((shown - 0.05) * HOUR_US)
    for s in range(min(edge + 3, slack_us - 1), edge - 4, -1):
        if round(s / HOUR_US, 1) != shown:
            return s
    return slack_us - 1  # not found (never expected): look again a microsecond on
