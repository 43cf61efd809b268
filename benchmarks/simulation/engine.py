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


@dataclass
class Year:
    """One policy's run of the year: what it delivered and what it cost."""

    policy: str
    jobs: list[Job] = field(default_factory=list)
    declined: list[Request] = field(default_factory=list)
    overtime: float = 0.0
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
        for r in by_day.get(day, ()):
            job = policy.intake(r, i, day0 + r.hour)
            if job is None:
                year.declined.append(r)
                continue
            for task in job.tasks:
                step_draws(params, seed, r.n, task, hours)
            job.waits_until = i + r.late_days
            if r.late_days:
                events.append(Event(day0 + r.hour + 0.1, "hold", job))
            year.jobs.append(job)
            active.append(job)
        cursor = [0.0] * len(staff.caps)
        for job in sorted(active, key=lambda j: j.key):
            if job.waits_until > i:
                continue
            if job.waits_until == i and job.request.late_days:
                events.append(Event(day0, "resume", job))
            year.overtime += _work_day(
                job, i, day, day0, hours, cursor, staff, off[i], params, events, policy
            )
            if all(t.finished is not None for t in job.tasks):
                job.delivered = max(t.finished for t in job.tasks)
                events.append(Event(job.delivered, "deliver", job))
        active = [j for j in active if j.delivered is None]
        # Stable: at the same instant, events keep the order they happened in (a step's
        # start before its finish, a predecessor's finish before its successor's start).
        for e in sorted(events, key=lambda e: e.at):
            policy.handle(e)
    policy.end()
    return year


def _work_day(job, i, day, day0, hours, cursor, staff, away, params, events, policy) -> float:
    """Advance the job's steps through day `i`; returns the overtime worked on it."""
    overtime = 0.0
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
            ready = max([day0, task.until, *(d.finished for d in deps)])
            if ready >= day0 + hours:
                continue
            if task.office:
                done = _office(task, ready, day0 + hours, events, job)
            else:
                if task.person in away:
                    task.person = policy.cover(task, staff, away, cursor)
                done, extra = _firm(job, task, ready, day, day0, hours, cursor, staff, away, params)
                overtime += extra
                if task.started is not None and task.started >= day0 and not task.announced:
                    events.append(Event(task.started, "start", job, task))
                    task.announced = True
            if done:
                events.append(Event(task.finished, "finish", job, task))
                progressed = True
    return overtime


def _office(task: Task, ready: float, day_end: float, events, job) -> bool:
    """An authority's time runs whatever the firm's staff do."""
    if task.started is None:
        task.started = ready
        task.announced = True
        events.append(Event(ready, "start", job, task))
    span = min(task.left, day_end - ready)
    if task.rejected_at is not None and task.spent < task.rejected_at <= task.spent + span:
        events.append(Event(ready + task.rejected_at - task.spent, "reject", job, task))
    task.spent += span
    task.left -= span
    task.until = ready + span
    if task.left <= 1e-9:
        task.finished = ready + span
        return True
    return False


def _firm(job, task, ready, day, day0, hours, cursor, staff, away, params):
    """The step's person works on it from when both are free, up to the day's hours (and the
    overtime allowed on a step behind its plan, or on a case the firm has been warned of)."""
    p = task.person
    if p is None or p in away:
        return False, 0.0
    cap = min(staff.caps[p], hours)
    behind = day >= task.planned_finish or job.warned
    limit = cap + (params.overtime_cap if behind else 0.0)
    begin = max(cursor[p], ready - day0)
    work = min(task.left, limit - begin)
    if work <= 1e-9:
        return False, 0.0
    if task.started is None:
        # Work in overtime is stamped at the day's end, as it is reported the next morning.
        task.started = max(ready, day0 + min(begin, hours - EVENING))
    extra = max(0.0, begin + work - cap) - max(0.0, begin - cap)
    cursor[p] = begin + work
    task.left -= work
    task.until = day0 + min(begin + work, hours)
    if task.left <= 1e-9:
        # Overtime goes into the evening: the step is done by the day's end.
        task.finished = max(task.started, day0 + min(begin + work, hours - EVENING))
        return True, extra
    return False, extra
