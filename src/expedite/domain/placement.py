"""Placing a plan's step network on the calendar: the forward pass the planner runs.

A network is steps (`Node`) with their dependencies, on the calendar's working-time axis
(`WorkCalendar.work_clock`, integer microseconds). Working time adds on the axis. Two things
depend on the dates:
- an authority's calendar time (`Duration.days`, `.months`, e.g. 商标法第二十八条's nine
  months): the step starts at the working moment it is ready and ends at the end of the
  workday its period ends on (`WorkCalendar.period_end`); a lever's shorter duration caps it,
  whichever ends first;
- application windows (申报批次, `StepTemplate.windows`): the step starts no earlier than the
  opening of the first window it can still make (ready on or before its closing day); with
  no such window known, the plan cannot be dated (`DomainError`, `NO_WINDOW`).

Without a calendar the pass gives the working-time part: both take no time there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .calendar import WorkCalendar
from .catalog_fields import StepTemplate, Window
from .durations import Duration
from .errors import DomainError, gettext_noop

US = dt.timedelta(microseconds=1)
MINUTE_US = 60_000_000

NO_WINDOW = gettext_noop(
    "下一个申报批次尚未公布：“%(step)s”最早 %(ready)s 可以提交，已知的最后一个批次"
    "（%(opens)s 至 %(closes)s）已经截止，暂时无法排定日期。请在服务目录中补充下一个批次后再排期。"
)


@dataclass(slots=True)
class Node:
    """A step of the network: its working time, its calendar time, or both (a lever's cap),
    and the steps it waits for. Levers change a copy (`copy`)."""

    template: StepTemplate
    kind: str
    work: int | None  # µs of working time; None for a step on calendar time only
    periods: tuple[Duration, ...] = ()  # calendar time: the step ends when the first ends
    deps: list[str] = field(default_factory=list)

    @property
    def own(self) -> int:
        """Its length in the working-time part: none for an authority's calendar time."""
        return 0 if self.template.duration.is_calendar else (self.work or 0)

    def shorten(self, to: Duration, day: dt.timedelta) -> None:
        """A lever's shorter duration: the step now ends by it too, whichever ends first."""
        if to.is_calendar:
            self.periods = (*self.periods, to)
        else:
            us = to.to_timedelta(day) // US
            self.work = us if self.work is None else min(self.work, us)

    def copy(self) -> Node:
        return Node(self.template, self.kind, self.work, self.periods, list(self.deps))

    @classmethod
    def of(
        cls, template: StepTemplate, kind: str, duration: Duration, day: dt.timedelta, deps=()
    ) -> Node:
        """A step of `duration`, working time (given a working day's length) or calendar time."""
        if duration.is_calendar:
            return cls(template, kind, None, (duration,), list(deps))
        return cls(template, kind, duration.to_timedelta(day) // US, (), list(deps))


def in_order(net: dict[str, Node]) -> list[str]:
    """The steps in dependency order; a cycle (levers can make one) is a `DomainError`."""
    indegree = {c: 0 for c in net}
    users: dict[str, list[str]] = {c: [] for c in net}
    for c, node in net.items():
        for d in node.deps:
            indegree[c] += 1
            users[d].append(c)
    ready = [c for c, n in indegree.items() if n == 0]
    order = []
    while ready:
        c = ready.pop(0)
        order.append(c)
        for u in users[c]:
            indegree[u] -= 1
            if indegree[u] == 0:
                ready.append(u)
    if len(order) != len(net):
        raise DomainError(
            gettext_noop("加急手段组合使步骤依赖成环，请检查服务目录。"), field="levers"
        )
    return order


@dataclass(frozen=True, slots=True)
class Schedule:
    start: dict[str, int]
    finish: dict[str, int]
    end: int
    expected: tuple[str, ...]  # steps that start in an expected (not yet announced) window


def forward(
    net: dict[str, Node], order: list[str], base: int, calendar: WorkCalendar | None = None
) -> Schedule:
    """Every step's earliest start and finish from `base`, in order, and the end.

    With the calendar, calendar time and application windows are placed by the dates (see
    the module's docstring). Without, the working-time part: they take no time.
    """
    start: dict[str, int] = {}
    finish: dict[str, int] = {}
    expected: list[str] = []
    for c in order:
        node = net[c]
        ready = max((finish[d] for d in node.deps), default=base)
        if calendar is None:
            start[c], finish[c] = ready, ready + node.own
            continue
        begin = ready
        if node.template.windows:
            begin, window = _in_window(node.template, ready, calendar)
            if window.expected:
                expected.append(c)
        start[c] = begin
        finish[c] = _finish(node, begin, calendar)
    return Schedule(start, finish, max(finish.values(), default=base), tuple(expected))


def _finish(node: Node, start: int, calendar: WorkCalendar) -> int:
    ends = [] if node.work is None else [start + node.work]
    if node.periods:
        day = calendar.at_work_clock(start, starting=True).date()
        ends += [
            calendar.work_clock_end_of(calendar.period_end(day, months=p.months, days=p.days))
            for p in node.periods
        ]
    return min(ends)


def _in_window(template: StepTemplate, ready: int, calendar: WorkCalendar) -> tuple[int, Window]:
    """When a step taken only in application windows starts: when it is ready, if that day is
    within a window, else when the next window it can make opens — a window closes at the end
    of its last day. Raises `DomainError` when no known window is left."""
    for window in template.windows:
        opening = dt.datetime.combine(window.opens, dt.time(), tzinfo=calendar.tz)
        begin = max(ready, calendar.work_clock(opening))
        if calendar.at_work_clock(begin, starting=True).date() <= window.closes:
            return begin, window
    last = template.windows[-1]
    raise DomainError(
        NO_WINDOW,
        field="windows",
        params={
            "step": template.name,
            "ready": calendar.at_work_clock(ready, starting=True).date().isoformat(),
            "opens": last.opens.isoformat(),
            "closes": last.closes.isoformat(),
        },
    )


def dated(net: dict[str, Node]) -> bool:
    """Whether the network's length depends on its start (calendar time or windows)."""
    return any(n.periods or n.template.windows for n in net.values())


def latest_start(
    net: dict[str, Node], calendar: WorkCalendar, deadline: dt.date, span_us: int
) -> dt.datetime:
    """The last moment to begin and still finish by the end of `deadline`.

    In working time only, a plan is as long from any start: the deadline less its span. With
    calendar time or application windows its length depends on the start; the latest start
    that still fits is found by bisection on the working-time axis (a later start never
    finishes earlier). When no start fits, the deadline less the span, as before.
    """
    limit = calendar.work_clock_end_of(deadline)
    if not dated(net):
        return calendar.at_work_clock(limit - span_us, starting=True)
    order = in_order(net)

    def fits(base: int) -> bool:
        try:
            return forward(net, order, base, calendar).end <= limit
        except DomainError:  # past the last known window, or the calendar's range
            return False

    lo, gap = max(0, limit - span_us), max(span_us, calendar.hours.day_us)
    while lo > 0 and not fits(lo):
        lo, gap = max(0, lo - gap), gap * 2
    if not fits(lo):
        return calendar.at_work_clock(max(0, limit - span_us), starting=True)
    hi = limit + 1  # a step takes time: nothing begun after the deadline ends by it
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    # To the whole minute (working windows start on whole minutes): 17:59, not 17:59:59.999999.
    return calendar.at_work_clock(lo - lo % MINUTE_US, starting=True)
