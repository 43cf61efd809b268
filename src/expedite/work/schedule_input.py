"""The scheduler's input read from the database: open steps of the active cases, the staff.

Time becomes the scheduler's integer index of working hours through the firm's calendar
(never raw dates): hour 0 is the start of the working day that contains `now`; a working day
has `slots` hours (7.5 h of office hours round to 8, each "hour" then lasting 56¼ minutes), so
weekends, holidays and 调休 are outside the axis and index multiples of `slots` are day starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.contrib.auth import get_user_model

from expedite.accounts.selectors import staff_display_name
from expedite.cases.models import Case
from expedite.domain.calendar import WorkCalendar
from expedite.domain.cases import CaseState
from expedite.domain.scheduling import Placement, Problem, Task, Worker
from expedite.domain.staffing import CASE_ROLES
from expedite.workdays.selectors import calendar_version, firm_calendar

from .models import Absence, Assignment, StaffProfile, StepRun
from .selectors import ACTIVE_STATES

HOUR_US = 3_600_000_000
# Waiting on the client (materials, a hold): its steps not yet begun start a day later at the
# earliest, the firm's usual turnaround for a client's papers.
WAITING_ON_CLIENT = (CaseState.MATERIALS, CaseState.ON_HOLD)


@dataclass(frozen=True)
class Clock:
    """The firm calendar's working time as the scheduler's hour index, and back."""

    cal: WorkCalendar
    origin_us: int  # working-time axis at hour 0
    slots: int  # scheduler hours per working day

    @classmethod
    def at(cls, now: dt.datetime, cal: WorkCalendar | None = None) -> Clock:
        cal = cal or firm_calendar()
        day_us = cal.hours.day_us
        return cls(cal, cal.work_clock(now) // day_us * day_us, max(1, round(day_us / HOUR_US)))

    @property
    def slot_us(self) -> int:
        return self.cal.hours.day_us // self.slots

    def index(self, t: dt.datetime, *, end: bool = False) -> int:
        """The hour index of instant t: the slot it falls in, or with `end` the next boundary."""
        offset = self.cal.work_clock(t) - self.origin_us
        return -(-offset // self.slot_us) if end else offset // self.slot_us

    def hours(self, duration_us: int) -> int:
        return -(-max(0, duration_us) // self.slot_us)

    def day_start(self, d: dt.date) -> int:
        """Hour index of the start of working day d."""
        day_us = self.cal.hours.day_us
        return (self.cal.work_clock_end_of(d) - day_us - self.origin_us) // self.slot_us

    def due(self, d: dt.date) -> int:
        """A deadline "by d": the end of d's working time."""
        return (self.cal.work_clock_end_of(d) - self.origin_us) // self.slot_us

    def start_at(self, index: int) -> dt.datetime:
        return self.cal.at_work_clock(self.origin_us + index * self.slot_us, starting=True)

    def end_at(self, index: int) -> dt.datetime:
        return self.cal.at_work_clock(self.origin_us + index * self.slot_us)

    def date_of(self, index: int) -> dt.date:
        return self.start_at(index).astimezone(self.cal.tz).date()


@dataclass
class Inputs:
    """The problem, the plan in force as placements, and what the page needs to name things."""

    problem: Problem
    clock: Clock
    now_index: int
    current: dict[str, Placement]  # today's plan, clipped to now for steps not begun
    steps: dict[str, StepRun]  # by task id
    cases: dict[str, Case]  # by case id
    names: dict[str, str]  # worker id → name
    fingerprint: str
    unstaffed: list[str] = field(default_factory=list)  # task ids nobody holding the role can do
    away: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)  # as recorded


def _weight(case: Case) -> float:
    # Triage's priority (urgency, impact and the client's value tier) in [0, 1] → 1 … 5.
    return round(1.0 + 4.0 * float(case.priority or 0.0), 2)


def role_skill(role: str, skill: str) -> str:
    return f"{role}:{skill}" if skill else role


def _workers(clock: Clock, until: dt.date) -> tuple[list[Worker], dict[str, str], list[tuple]]:
    User = get_user_model()
    users = list(
        User.objects.filter(is_active=True, groups__name__in=CASE_ROLES)
        .prefetch_related("groups")
        .distinct()
        .order_by("pk")
    )
    profiles = {p.user_id: p for p in StaffProfile.objects.filter(user__in=users)}
    today = clock.date_of(0)
    blocked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    facts = []
    for a in Absence.objects.filter(end__gte=today, start__lte=until).order_by("pk"):
        facts.append(("absence", a.user_id, a.start.isoformat(), a.end.isoformat()))
        days = clock.cal.workdays_in(max(a.start, today), min(a.end, until))
        for d in days:
            start = clock.day_start(d)
            blocked[a.user_id].append((start, start + clock.slots))
    workers, names = [], {}
    for u in users:
        roles = sorted(g.name for g in u.groups.all() if g.name in CASE_ROLES)
        skills = sorted(profiles[u.pk].skills) if u.pk in profiles else []
        tokens = set(roles) | {role_skill(r, s) for r in roles for s in skills}
        workers.append(Worker(str(u.pk), frozenset(tokens), tuple(_merge(blocked[u.pk]))))
        names[str(u.pk)] = staff_display_name(u)
        facts.append(("worker", u.pk, roles, skills))
    return workers, names, facts


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _active_cases():
    """The cases the scheduler plans: active, review excluded (the team's part is done)."""
    return Case.objects.filter(state__in=[s.value for s in ACTIVE_STATES]).exclude(
        state=CaseState.REVIEW.value
    )


def _horizon(clock: Clock, deadlines: list[dt.date]) -> dt.date:
    return max([*deadlines, clock.cal.add_workdays(clock.date_of(0), 60)])


@dataclass(frozen=True)
class Stamp:
    """What tells whether a proposal still fits the data, read without building the problem:
    the same fingerprint `load_inputs` gives, and what the workload page names people with."""

    clock: Clock
    fingerprint: str
    open_steps: int
    names: dict[str, str]
    roles: dict[str, tuple[str, ...]]  # worker id → the case roles they hold
    away: dict[str, tuple[tuple[int, int], ...]]


def read_stamp(*, now: dt.datetime, cal: WorkCalendar | None = None) -> Stamp:
    """The fingerprint from plain column values (no model instances, no problem to build):
    the workload page asks it on every view, so it must stay cheap at thousands of steps."""
    clock = Clock.at(now, cal)
    cases = list(
        _active_cases().order_by("pk").values_list("pk", "state", "requested_deadline", "priority")
    )
    workers, names, worker_facts = _workers(clock, _horizon(clock, [c[2] for c in cases]))
    ids = _active_cases().values("pk")
    assignments = (
        Assignment.objects.filter(case__in=ids)
        .order_by("pk")
        .values_list("case_id", "role", "user_id", "status")
    )
    steps = (
        StepRun.objects.filter(case__in=ids, finished_at__isnull=True)
        .order_by("case_id", "position", "pk")
        .values_list(
            "pk",
            "duration_us",
            "depends_on",
            "assignee_id",
            "started_at",
            "planned_start",
            "planned_finish",
        )
    )
    step_facts = [_step_fact(*row) for row in steps]
    facts = _facts(
        clock,
        [("assignment", *row) for row in assignments],
        worker_facts,
        step_facts,
        [("case", pk, state, day.isoformat(), priority) for pk, state, day, priority in cases],
    )
    return Stamp(
        clock=clock,
        fingerprint=_digest(facts),
        open_steps=len(step_facts),
        names=names,
        roles={w.id: tuple(r for r in CASE_ROLES if r in w.skills) for w in workers},
        away={w.id: w.blocked for w in workers},
    )


def _step_fact(pk, duration_us, depends_on, assignee_id, started_at, planned_start, planned_finish):
    return (
        "step",
        pk,
        duration_us,
        depends_on,
        assignee_id,
        started_at.isoformat() if started_at else None,
        planned_start.isoformat(),
        planned_finish.isoformat(),
    )


def _facts(clock: Clock, assignments, workers, steps, cases) -> list:
    head = ("calendar", calendar_version(), clock.origin_us)
    return [head, *assignments, *workers, *steps, *cases]


def _digest(facts: list) -> str:
    return hashlib.sha256(
        json.dumps(facts, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def load_inputs(*, now: dt.datetime, cal: WorkCalendar | None = None) -> Inputs:
    """Everything open in the active cases (review excluded: the team's part is done)."""
    clock = Clock.at(now, cal)
    now_index = max(0, clock.index(now, end=True))
    cases = {
        str(c.pk): c
        for c in _active_cases()
        .select_related("client", "service")
        .defer("triage", "intake", "clocks")  # large JSON the scheduler does not read
        .order_by("pk")
    }
    runs = list(
        StepRun.objects.filter(case__in=[c.pk for c in cases.values()], finished_at__isnull=True)
        .select_related("track", "assignee")
        .order_by("case_id", "position", "pk")
    )
    team: dict[tuple[int, str], int] = {}
    assignment_facts = []
    for a in Assignment.objects.filter(case__in=[c.pk for c in cases.values()]).order_by("pk"):
        if a.user_id:
            team[(a.case_id, a.role)] = a.user_id
        assignment_facts.append(("assignment", a.case_id, a.role, a.user_id, a.status))
    until = _horizon(clock, [c.requested_deadline for c in cases.values()])
    workers, names, worker_facts = _workers(clock, until)
    step_facts = []
    skills_held = set().union(*(w.skills for w in workers)) if workers else set()
    skills_of = {w.id: w.skills for w in workers}
    by_code = {(r.case_id, r.code): str(r.pk) for r in runs}
    tasks, current, steps, unstaffed = [], {}, {}, []
    for r in runs:
        case = cases[str(r.case_id)]
        tid = str(r.pk)
        steps[tid] = r
        step_facts.append(
            _step_fact(
                r.pk,
                r.duration_us,
                r.depends_on,
                r.assignee_id,
                r.started_at,
                r.planned_start,
                r.planned_finish,
            )
        )
        hours = clock.hours(r.duration_us)
        skill = None
        if r.role in CASE_ROLES:
            wanted = role_skill(r.role, r.skill)
            skill = wanted if wanted in skills_held else r.role
            if skill not in skills_held:
                skill = None
                unstaffed.append(tid)
        person = r.assignee_id or team.get((r.case_id, r.role))
        person_id = str(person) if skill is not None and person else None
        if person_id is not None and person_id not in names:
            person_id = None  # someone who left or lost the role: the step is free to move
        if r.started_at and person_id and skill not in skills_of[person_id]:
            skill = None  # under way with someone whose profile no longer lists the skill
        release = now_index
        pinned_start = None
        if r.started_at:
            started = clock.index(r.started_at)
            pinned_start = max(0, started)
            hours = max(1, started + hours - pinned_start) if hours else 0
            release = pinned_start
        elif case.state in [s.value for s in WAITING_ON_CLIENT]:
            release = now_index + clock.slots
        preds = tuple(by_code[(r.case_id, c)] for c in r.depends_on if (r.case_id, c) in by_code)
        planned = max(release, clock.index(r.planned_start))
        tasks.append(
            Task(
                id=tid,
                case_id=str(r.case_id),
                hours=hours,
                skill=skill,
                predecessors=preds,
                release=release,
                due=clock.due(case.requested_deadline),
                weight=_weight(case),
                pinned_worker=person_id if r.started_at else None,
                pinned_start=pinned_start if person_id or skill is None else None,
                current_worker=person_id,
                current_start=pinned_start if pinned_start is not None else planned,
            )
        )
        start = pinned_start if pinned_start is not None else planned
        current[tid] = Placement(tid, start, start + hours, person_id)
    case_facts = [
        ("case", c.pk, c.state, c.requested_deadline.isoformat(), c.priority)
        for c in cases.values()
    ]
    open_cases = {t.case_id for t in tasks}
    away = {w.id: w.blocked for w in workers}
    # A step under way stays with its person even on a day they are away (someone covers,
    # or it waits): the scheduler sees them busy, the page shows the clash.
    running: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for t in tasks:
        if t.pinned_worker and t.pinned_start is not None:
            running[t.pinned_worker].append((t.pinned_start, t.pinned_start + t.hours))
    workers = [
        replace(w, blocked=_subtract(w.blocked, running[w.id])) if running.get(w.id) else w
        for w in workers
    ]
    digest = _digest(_facts(clock, assignment_facts, worker_facts, step_facts, case_facts))
    return Inputs(
        problem=Problem(tasks=tuple(tasks), workers=tuple(workers)),
        clock=clock,
        now_index=now_index,
        current=_respect_precedence(tasks, current),
        steps=steps,
        cases={k: v for k, v in cases.items() if k in open_cases},
        names=names,
        fingerprint=digest,
        unstaffed=unstaffed,
        away=away,
    )


def _subtract(
    blocked: tuple[tuple[int, int], ...], holes: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    out = list(blocked)
    for hs, he in holes:
        out = [
            piece
            for s, e in out
            for piece in ((s, min(e, hs)), (max(s, he), e))
            if piece[0] < piece[1]
        ]
    return tuple(out)


def _respect_precedence(tasks: list[Task], current: dict[str, Placement]) -> dict[str, Placement]:
    """Today's plan pushed after its predecessors, as the projection does: what the plan would
    give if nobody were short of time (people double-booked remain double-booked)."""
    by_id = {t.id: t for t in tasks}
    done: dict[str, Placement] = {}

    def place(tid: str) -> Placement:
        if tid in done:
            return done[tid]
        t, p = by_id[tid], current[tid]
        start = p.start
        if t.pinned_start is None:
            start = max([start] + [place(q).end for q in t.predecessors])
        done[tid] = Placement(tid, start, start + t.hours, p.worker_id)
        return done[tid]

    for t in tasks:
        place(t.id)
    return done
