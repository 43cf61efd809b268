"""Reads for running cases: projections from actuals, people and their load, who waits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from expedite.accounts.selectors import staff_display_name
from expedite.cases.models import Case
from expedite.cases.selectors import read_once
from expedite.domain.calendar import WorkCalendar
from expedite.domain.cases import CaseState
from expedite.domain.progress import StepStatus, is_slipped, is_stale, project, stale_cutoff
from expedite.domain.staffing import (
    CASE_ROLES,
    Demand,
    Need,
    Person,
    Wait,
    allocate,
    case_needs,
)
from expedite.workdays.selectors import firm_calendar

from .models import Absence, Assignment, StaffProfile, StepRun, Track

# Tracks under way must be synced daily; one not begun or done has nothing to report.
SYNCED = ("active", "blocked")
ACTIVE_STATES = (
    CaseState.ACCEPTED,
    CaseState.MATERIALS,
    CaseState.IN_PROGRESS,
    CaseState.ON_HOLD,
    CaseState.REVIEW,
)


@dataclass(frozen=True, slots=True)
class StepView:
    run: StepRun
    start: dt.datetime  # projected
    finish: dt.datetime
    critical: bool
    slipped_us: int  # projected finish minus planned finish, in working time
    slipped: bool  # later than planned by more than EXPEDITE_SLIP_TOLERANCE_MINUTES

    @property
    def state(self) -> str:
        if self.run.finished_at:
            return "done"
        return "running" if self.run.started_at else "waiting"


@dataclass(frozen=True, slots=True)
class CaseProjection:
    steps: list[StepView]
    finish: dt.datetime | None
    planned_finish: dt.datetime | None
    deadline_end: dt.datetime
    slack_us: int | None  # working time left between projected finish and the deadline's end
    at_risk: bool
    late: bool
    day_us: int

    @property
    def slack_hours(self) -> float | None:
        return None if self.slack_us is None else round(self.slack_us / 3_600_000_000, 1)

    @property
    def slack_workdays(self) -> float | None:
        return None if self.slack_us is None else round(self.slack_us / self.day_us, 1)


def _status(run: StepRun, cal: WorkCalendar, extra_us: int = 0) -> StepStatus:
    return StepStatus(
        code=run.code,
        depends_on=tuple(run.depends_on),
        duration_us=run.duration_us + extra_us,
        started_us=cal.work_clock(run.started_at) if run.started_at else None,
        finished_us=cal.work_clock(run.finished_at) if run.finished_at else None,
    )


# Incidents and external risks add working time to steps; the monitoring app records them and
# registers how to read them, so the plan's projection includes them without importing it.
DelaySource = Callable[[list[int]], dict[int, dict[str, int]]]
_delay_sources: list[DelaySource] = []


def register_delay_source(source: DelaySource) -> DelaySource:
    if source not in _delay_sources:
        _delay_sources.append(source)
    return source


def step_delays(case_ids) -> dict[int, dict[str, int]]:
    """Extra working time per step: {case: {step code: µs}}, from every registered source."""
    ids = list(case_ids)
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for source in _delay_sources:
        for case_id, codes in source(ids).items():
            for code, extra in codes.items():
                found[case_id][code] = found[case_id].get(code, 0) + extra
    return found


def case_steps(case: Case) -> list[StepRun]:
    """The case's steps in order with their track and assignee, read once per case object
    (the progress and monitoring panels share them)."""
    return read_once(
        case,
        "steps",
        lambda: list(case.steps.select_related("track", "assignee").order_by("position")),
    )


def case_projection(
    case: Case,
    *,
    now: dt.datetime,
    cal: WorkCalendar | None = None,
    runs=None,
    delays: dict[str, int] | None = None,
) -> CaseProjection:
    """`delays`: extra working time per step code (read from the database when not given)."""
    cal = cal or firm_calendar()
    runs = list(runs if runs is not None else case.steps.select_related("track", "assignee"))
    if delays is None:
        delays = step_delays([case.pk]).get(case.pk, {}) if runs else {}
    deadline_end = cal.work_clock_end_of(case.requested_deadline)
    threshold = int(settings.EXPEDITE_AT_RISK_SLACK_HOURS * 3_600_000_000)
    if not runs:
        return CaseProjection(
            steps=[],
            finish=None,
            planned_finish=None,
            deadline_end=cal.at_work_clock(deadline_end),
            slack_us=None,
            at_risk=False,
            late=False,
            day_us=cal.hours.day_us,
        )
    p = project([_status(r, cal, delays.get(r.code, 0)) for r in runs], cal.work_clock(now))
    tolerance = settings.EXPEDITE_SLIP_TOLERANCE_MINUTES * 60_000_000
    views = []
    for r in runs:
        planned = cal.work_clock(r.planned_finish)
        views.append(
            StepView(
                run=r,
                start=cal.at_work_clock(p.start[r.code], starting=True),
                finish=cal.at_work_clock(p.finish[r.code]),
                critical=r.code in p.critical,
                slipped_us=p.finish[r.code] - planned,
                slipped=is_slipped(
                    projected_us=p.finish[r.code], planned_us=planned, tolerance_us=tolerance
                ),
            )
        )
    slack = deadline_end - p.end
    done = all(r.finished_at for r in runs)
    return CaseProjection(
        steps=views,
        finish=cal.at_work_clock(p.end),
        planned_finish=max(r.planned_finish for r in runs),
        deadline_end=cal.at_work_clock(deadline_end),
        slack_us=slack,
        at_risk=not done and slack < threshold,
        late=slack < 0,
        day_us=cal.hours.day_us,
    )


def _step_days(view: StepView, cal: WorkCalendar) -> list[dt.date]:
    if view.run.finished_at:
        return []
    start, finish = view.start.date(), view.finish.date()
    return cal.workdays_in(start, max(start, finish))


def case_needs_for(case: Case, *, now: dt.datetime) -> dict[str, Need]:
    cal = firm_calendar()
    proj = case_projection(case, now=now, cal=cal)
    triples = [(v.run.role, v.run.skill, _step_days(v, cal)) for v in proj.steps]
    today = now.astimezone(cal.tz).date()
    end = proj.finish.date() if proj.finish else today
    return case_needs(triples, cal.workdays_in(today, max(today, end)))


def people(*, needs_days: list[dt.date], ids: set[int] | None = None) -> list[Person]:
    """Everyone holding one of the three roles (or those of `ids`), with skills, capacity and
    absences."""
    User = get_user_model()
    users = User.objects.filter(is_active=True, groups__name__in=CASE_ROLES)
    if ids is not None:
        users = users.filter(pk__in=ids)
    users = users.prefetch_related("groups").distinct().order_by("pk")
    profiles = {p.user_id: p for p in StaffProfile.objects.filter(user__in=[u.pk for u in users])}
    away = _absent_days(needs_days)
    result = []
    for u in users:
        profile = profiles.get(u.pk)
        result.append(
            Person(
                id=u.pk,
                name=staff_display_name(u),
                roles=frozenset(g.name for g in u.groups.all()),
                skills=frozenset(profile.skills if profile else ()),
                capacity_hours=float(profile.capacity_hours) if profile else 7.5,
                expedite_team=bool(profile and profile.expedite_team),
                absent=frozenset(away.get(u.pk, ())),
            )
        )
    return result


def _absent_days(days: list[dt.date]) -> dict[int, set[dt.date]]:
    if not days:
        return {}
    lo, hi = min(days), max(days)
    away: dict[int, set[dt.date]] = defaultdict(set)
    for a in Absence.objects.filter(start__lte=hi, end__gte=lo):
        for d in days:
            if a.start <= d <= a.end:
                away[a.user_id].add(d)
    return away


def _active_cases():
    return Case.objects.filter(state__in=[s.value for s in ACTIVE_STATES]).select_related(
        "client", "service"
    )


def demands(
    *,
    now: dt.datetime,
    exclude_case: int | None = None,
    projections: dict[int, CaseProjection] | None = None,
    persons: set[int] | None = None,
) -> list[Demand]:
    """Each active case's hours per assigned person and working day, with its priority.

    `projections`: those the caller already made for this `now` (the board), not made again.
    `persons`: only these people's demands (each person's queue is served on its own).
    """
    projections = projections or {}
    cal = firm_calendar()
    # In review the work is done: what is left is the reviewers', not the team's hours.
    active = _active_cases().exclude(pk=exclude_case or 0).exclude(state=CaseState.REVIEW.value)
    if persons is not None:
        active = active.filter(assignments__user__in=persons).distinct()
    # A projection reads a case's deadline and priority: not its JSON, client or service.
    active = active.select_related(None).only("pk", "requested_deadline", "priority")
    cases = list(active)
    ids = active.values("pk")  # a subquery: a list of model objects costs more to send
    runs: dict[int, list[StepRun]] = defaultdict(list)
    for r in StepRun.objects.filter(case__in=ids).select_related("track"):
        runs[r.case_id].append(r)
    team: dict[int, dict[str, int]] = defaultdict(dict)
    for a in Assignment.objects.filter(case__in=ids, user__isnull=False):
        team[a.case_id][a.role] = a.user_id
    delays = step_delays(runs)
    result = []
    for case in cases:
        if not runs[case.pk] or not team[case.pk]:
            continue
        proj = projections.get(case.pk) or case_projection(
            case, now=now, cal=cal, runs=runs[case.pk], delays=delays.get(case.pk, {})
        )
        triples = [(v.run.role, v.run.skill, _step_days(v, cal)) for v in proj.steps]
        today = now.astimezone(cal.tz).date()
        window = cal.workdays_in(today, max(today, proj.finish.date()))
        for role, need in case_needs(triples, window).items():
            person = team[case.pk].get(role)
            if persons is not None and person not in persons:
                continue
            if person is not None and need.hours_by_day:
                result.append(Demand(case.pk, person, case.priority or 0.0, need.hours_by_day))
    return result


def load_of(found: list[Demand]) -> dict[tuple[int, dt.date], float]:
    """Planned hours per (person, working day)."""
    load: dict[tuple[int, dt.date], float] = defaultdict(float)
    for dm in found:
        for d, h in dm.hours_by_day.items():
            load[(dm.person_id, d)] += h
    return dict(load)


def planned_load(*, now: dt.datetime, exclude_case: int | None = None) -> dict:
    return load_of(demands(now=now, exclude_case=exclude_case))


def horizon(now: dt.datetime, workdays: int) -> list[dt.date]:
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    first = cal.add_workdays(today, 0)
    return cal.workdays_in(first, cal.add_workdays(first, workdays - 1))


def waits(
    *,
    now: dt.datetime,
    workdays: int = 30,
    found: list[Demand] | None = None,
    persons: set[int] | None = None,
) -> list[Wait]:
    """Who waits for whom when people are over capacity: the triage queue order decides.

    `found`: the demands already computed for this request (the board needs them twice).
    `persons`: only these people's queues; the waits in them are the same as firm-wide."""
    days = horizon(now, workdays)
    staff = people(needs_days=days, ids=persons)
    capacity = {(p.id, d): p.capacity_on(d) for p in staff for d in days}
    if found is None:
        found = demands(now=now, persons=persons)
    return allocate(found, capacity, days)


def tracks_with_staleness(tracks, *, now: dt.datetime) -> list[tuple[Track, bool]]:
    cal = firm_calendar()
    sync = settings.EXPEDITE_SYNC_TIME
    return [
        (
            t,
            t.status in SYNCED
            and is_stale(last_update=t.updated_at, now=now, calendar=cal, sync_time=sync),
        )
        for t in tracks
    ]


def stale_tracks(*, now: dt.datetime):
    """The running cases' tracks that missed the last daily sync, longest silent first (a
    queryset: the board lists the first of them, the digest filters them to a person's)."""
    cutoff = stale_cutoff(now=now, calendar=firm_calendar(), sync_time=settings.EXPEDITE_SYNC_TIME)
    return (
        Track.objects.filter(
            case__state__in=[s.value for s in ACTIVE_STATES],
            status__in=SYNCED,
            updated_at__lte=cutoff,
        )
        .select_related("case", "case__client", "updated_by")
        .order_by("updated_at", "pk")
    )
