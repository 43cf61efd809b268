"""Where a case stands: the plan projected from what actually happened, and stale tracks.

Times are on the calendar's working-time axis (µs, `WorkCalendar.work_clock`), like the
planner's: a slipped step moves its successors by the same working time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .calendar import WorkCalendar
from .errors import DomainError, gettext_noop


@dataclass(frozen=True, slots=True)
class StepStatus:
    code: str
    depends_on: tuple[str, ...]
    duration_us: int
    started_us: int | None = None
    finished_us: int | None = None


@dataclass(frozen=True, slots=True)
class Projection:
    start: Mapping[str, int]
    finish: Mapping[str, int]
    end: int  # projected finish of the whole case
    critical: frozenset[str]


def project(steps: Iterable[StepStatus], now_us: int) -> Projection:
    """Finished steps keep their actual times; a running step ends at start + duration, or not
    before now if it overruns; a step not started begins when its predecessors end, not
    before now."""
    by_code = {s.code: s for s in steps}
    order = _order(by_code)
    start: dict[str, int] = {}
    finish: dict[str, int] = {}
    for code in order:
        s = by_code[code]
        deps = [finish[d] for d in s.depends_on if d in finish]
        if s.finished_us is not None:
            start[code] = s.started_us if s.started_us is not None else s.finished_us
            finish[code] = s.finished_us
        elif s.started_us is not None:
            start[code] = s.started_us
            finish[code] = max(s.started_us + s.duration_us, now_us)
        else:
            start[code] = max([now_us, *deps])
            finish[code] = start[code] + s.duration_us
    end = max(finish.values(), default=now_us)
    # Critical: the chain of not-yet-finished steps whose end determines the case's end.
    critical: set[str] = set()
    frontier = [c for c in order if finish[c] == end and by_code[c].finished_us is None]
    while frontier:
        code = frontier.pop()
        if code in critical:
            continue
        critical.add(code)
        for d in by_code[code].depends_on:
            if d in finish and finish[d] == start[code] and by_code[d].finished_us is None:
                frontier.append(d)
    return Projection(start=start, finish=finish, end=end, critical=frozenset(critical))


def is_slipped(*, projected_us: int, planned_us: int, tolerance_us: int) -> bool:
    """Whether a step is late against its plan: its projected finish is more than
    `tolerance_us` of working time after the planned one (a drift of exactly the tolerance,
    or a projection ahead of the plan, is not late; a tolerance of 0 flags any drift)."""
    return projected_us - planned_us > max(tolerance_us, 0)


def _order(steps: Mapping[str, StepStatus]) -> list[str]:
    seen: dict[str, int] = {}
    order: list[str] = []

    def visit(code: str) -> None:
        mark = seen.get(code)
        if mark == 2:
            return
        if mark == 1:
            raise DomainError(gettext_noop("步骤依赖成环，无法推算进度。"), field="steps")
        seen[code] = 1
        for d in steps[code].depends_on:
            if d in steps:
                visit(d)
        seen[code] = 2
        order.append(code)

    for code in steps:
        visit(code)
    return order


def check_step_update(
    status: StepStatus,
    done: Mapping[str, bool],
    *,
    action: str,
) -> None:
    """Refuse updates that contradict the step's state or its predecessors."""
    if action == "start":
        if status.started_us is not None:
            raise DomainError(gettext_noop("该步骤已经开始。"), field="step")
        waiting = [d for d in status.depends_on if not done.get(d, True)]
        if waiting:
            raise DomainError(
                gettext_noop("前置步骤尚未完成：%(steps)s。"),
                field="step",
                params={"steps": "、".join(waiting)},
            )
    elif action == "finish":
        if status.finished_us is not None:
            raise DomainError(gettext_noop("该步骤已经完成。"), field="step")
        if status.started_us is None:
            raise DomainError(gettext_noop("该步骤尚未开始，不能标记完成。"), field="step")


# -- tracks -----------------------------------------------------------------------------------


def last_sync_due(now: dt.datetime, calendar: WorkCalendar, sync_time: dt.time) -> dt.datetime:
    """The most recent daily sync deadline at or before `now` (only working days have one)."""
    local = now.astimezone(calendar.tz)
    day = local.date()
    if not (calendar.is_workday(day) and local.time() >= sync_time):
        day = calendar.previous_workday(day)
    return dt.datetime.combine(day, sync_time, tzinfo=calendar.tz)


def is_stale(
    *,
    last_update: dt.datetime,
    now: dt.datetime,
    calendar: WorkCalendar,
    sync_time: dt.time,
) -> bool:
    """A track is stale when it missed the last sync: no update after the deadline before it.

    The update for a day's 10:00 sync may come any time after the previous working day's
    10:00 (the afternoon before counts; so does a late one after 10:00).
    """
    return last_update <= stale_cutoff(now=now, calendar=calendar, sync_time=sync_time)


def stale_cutoff(*, now: dt.datetime, calendar: WorkCalendar, sync_time: dt.time) -> dt.datetime:
    """The instant at or before which a track's last update makes it stale at `now` (one
    bound for every track, so the database can find the stale ones)."""
    due = last_sync_due(now, calendar, sync_time)
    return dt.datetime.combine(calendar.previous_workday(due.date()), sync_time, calendar.tz)
