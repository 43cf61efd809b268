"""Working day by working day: requests arrive, the policy decides, the staff spend their hours
on the steps in the policy's order, the offices take their time, and every start, finish,
rejection and delivery is handed to the policy in time order, between the day's job ticks.

Time inside a day is counted in working hours from its start (0 … the calendar's day length);
across days as `index × day length + hours`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .world import Job, Params, Request, Task, absences, step_draws

# Working hours into the day of the product's clock-driven work: the specialists' 日清 sync
# before 10:00, then the risk watch and the daily reports (every minute in production) late
# in the morning, in the afternoon and at the day's end.
SYNC = 0.75
TICKS = (SYNC, 2.0, 6.5, 7.4)
# Days after the year's last working day allowed for the cases still open to finish.
RUN_OUT = 120
US_PER_HOUR = 3_600_000_000
# How long before the day's end a step done in overtime is marked done (hours).
EVENING = 0.05


@dataclass(frozen=True)
class Event:
    at: float  # absolute working hour
    kind: str  # start / finish / reject / deliver / tick / hold / resume
    job: Job | None = None
    task: Task | None = None


@dataclass
class Staff:
    caps: list[float]  # hours a working day, by person
    roles: list[str]  # role by person
    skills: list[frozenset] = field(default_factory=list)  # skills by person


@dataclass
class Year:
    """One policy's run of the year: what it delivered and what it cost."""

    policy: str
    jobs: list[Job] = field(default_factory=list)
    declined: list[Request] = field(default_factory=list)
    overtime: float = 0.0
    undelivered: int = 0  # still open when the run-out ended
    days: list[dt.date] = field(default_factory=list)
    day_hours: float = 8.0

    def date_of(self, hour: float) -> dt.date:
        return self.days[min(int(hour // self.day_hours), len(self.days) - 1)]


def run_year(
    policy, requests: list[Request], *, params: Params, seed: int, cal, staff: Staff, say=None
):
    """Run the year under `policy` (see policies.py for the interface); `say` hears a line at
    each month's start."""
    last = cal.previous_workday(dt.date(params.year, 12, 31))
    days = cal.workdays_in(dt.date(params.year, 1, 1), cal.add_workdays(last, RUN_OUT))
    hours = cal.hours.day_us / US_PER_HOUR
    year = Year(policy=policy.name, days=days, day_hours=hours)
    off = defaultdict(set)  # day index → people away
    spells = absences(params, seed, len(staff.caps), days)
    for person, rows in spells.items():
        for first, end, _kind in rows:
            for i in range(first, end + 1):
                off[i].add(person)
    policy.begin(days=days, spells=spells, day_hours=hours)
    by_day = defaultdict(list)
    for r in requests:
        by_day[r.arrival].append(r)
    active: list[Job] = []
    for i, day in enumerate(days):
        if i > 0 and not active and day > last:
            break
        if say is not None and (i == 0 or day.month != days[i - 1].month):
            say(f"  {policy.name}: {day:%Y-%m}, {len(active)} cases open")
        policy.morning(i, day, active)
        day0 = i * hours
        events: list[Event] = [Event(day0 + t, "tick") for t in TICKS]
        # The morning's intake: what came in since the last one, in the order it came.
        for r in sorted(by_day.get(day, ()), key=lambda r: (r.hour, r.n)):
            job = policy.intake(r, i, day0)
            if job is None:
                year.declined.append(r)
                continue
            for task in job.tasks:
                step_draws(params, seed, r.n, task, hours)
                task.until = day0
            job.waits_until = i + r.late_days
            if r.late_days:
                events.append(Event(day0, "hold", job))
            year.jobs.append(job)
            active.append(job)
        people = [_Day(min(cap, hours), params.overtime_cap) for cap in staff.caps]
        for job in sorted(active, key=lambda j: j.key):
            if job.waits_until > i:
                continue
            if job.waits_until == i and job.request.late_days:
                events.append(Event(day0, "resume", job))
            _work_day(job, day, day0, hours, people, staff, off[i], events, policy)
            if all(t.finished is not None for t in job.tasks):
                job.delivered = max(t.finished for t in job.tasks)
                events.append(Event(job.delivered, "deliver", job))
        year.overtime += sum(p.overtime() for p in people)
        active = [j for j in active if j.delivered is None]
        # Stable: at the same instant, events keep the order they happened in (a step's
        # start before its finish, a predecessor's finish before its successor's start).
        for e in sorted(events, key=lambda e: e.at):
            policy.handle(e)
    year.undelivered = len(active)
    policy.end()
    return year


class _Day:
    """A person's working day: the hours still free, as intervals from the day's start, so
    a step that becomes ready late leaves the earlier hours to other work."""

    def __init__(self, cap: float, overtime: float):
        self.cap = cap
        self.free = [(0.0, cap + overtime)]
        self.worked = 0.0

    def work(self, ready: float, hours: float, limit: float) -> tuple[float, float, float]:
        """Take up to `hours` from `ready` on, ending by `limit`: (start, end, hours taken)."""
        taken, first, last, kept = 0.0, None, ready, []
        for a, b in self.free:
            lo, hi = max(a, ready), min(b, limit)
            if taken >= hours or hi - lo <= 1e-9:
                kept.append((a, b))
                continue
            use = min(hours - taken, hi - lo)
            first = lo if first is None else first
            last = lo + use
            taken += use
            kept += [(x, y) for x, y in ((a, lo), (lo + use, b)) if y - x > 1e-9]
        self.free = kept
        self.worked += taken
        return (first if first is not None else ready), last, taken

    def overtime(self) -> float:
        return max(0.0, self.worked - self.cap)


def _work_day(job, day, day0, hours, people, staff, away, events, policy) -> None:
    """Advance the job's steps through the day."""
    by_code = {t.code: t for t in job.tasks}
    progressed = True
    while progressed:  # a step finishing today may free its successors today
        progressed = False
        for task in job.tasks:
            if task.finished is not None:
                continue
            deps = [by_code[c] for c in task.depends_on if c in by_code]
            if any(d.finished is None for d in deps):
                continue
            ready = max([day0, task.until, *(d.free_at for d in deps)])
            if ready >= day0 + hours:
                continue
            if task.office:
                done = _office(task, ready, day0, hours, events, job)
            else:
                if task.person in away:
                    # Someone to cover, or (None) the step waits for its person.
                    cover = policy.cover(task, staff, away, people)
                    task.person = task.person if cover is None else cover
                done = _firm(job, task, ready, day, day0, hours, people, away)
                if task.started is not None and not task.announced:
                    events.append(Event(task.started, "start", job, task))
                    task.announced = True
            if done:
                events.append(Event(task.finished, "finish", job, task))
                progressed = True


def _stamp(t: float, day0: float, hours: float) -> float:
    """The instant the product hears of something: work in the evening is reported as done
    a few minutes before the day's end."""
    return min(t, day0 + hours - EVENING)


def _office(task: Task, ready: float, day0: float, hours: float, events, job) -> bool:
    """An authority's time runs whatever the firm's staff do."""
    if task.started is None:
        task.started = _stamp(ready, day0, hours)
        task.announced = True
        events.append(Event(task.started, "start", job, task))
    span = min(task.left, day0 + hours - ready)
    if task.rejected_at is not None and task.spent < task.rejected_at <= task.spent + span:
        at = _stamp(ready + task.rejected_at - task.spent, day0, hours)
        events.append(Event(max(at, task.started), "reject", job, task))
    task.spent += span
    task.left -= span
    task.until = ready + span
    if task.left <= 1e-9:
        task.free_at = ready + span
        task.finished = max(task.started, _stamp(ready + span, day0, hours))
        return True
    return False


def _firm(job, task, ready, day, day0, hours, people, away) -> bool:
    """The step's person works on it in their free hours from when it is ready, up to their
    day's hours (and the overtime allowed on a step behind its plan, or on a case the firm
    has been warned of)."""
    p = task.person
    if p is None or p in away:
        return False
    person = people[p]
    behind = day >= task.planned_finish or job.warned
    limit = person.free[-1][1] if behind and person.free else person.cap
    begin, end, work = person.work(ready - day0, task.left, limit)
    if work <= 1e-9:
        return False
    if task.started is None:
        task.started = _stamp(day0 + begin, day0, hours)
    task.left -= work
    task.until = day0 + min(end, hours)
    if task.left <= 1e-9:
        # Successors may start when it is really done (today, or the next morning after an
        # evening's overtime); the product hears of it within the day.
        task.free_at = day0 + min(end, hours)
        task.finished = max(task.started, _stamp(day0 + end, day0, hours))
        return True
    return False
