"""The board: my cases, the queue, due today, at risk, stale tracks, workload, who waits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from expedite.accounts.selectors import staff_display_name
from expedite.approvals.selectors import pending_for
from expedite.cases.models import Case
from expedite.custody.selectors import overdue_items, unconfirmed_movements
from expedite.domain.staffing import Wait
from expedite.materials.selectors import overdue_prereviews
from expedite.workdays.selectors import firm_calendar

from .charts import workload_svg
from .models import Assignment, StepRun
from .selectors import (
    ACTIVE_STATES,
    CaseProjection,
    _active_cases,
    case_projection,
    demands,
    horizon,
    load_of,
    people,
    stale_tracks,
    step_delays,
    waits,
)

WORKLOAD_DAYS = 10


@dataclass(frozen=True, slots=True)
class Row:
    case: Case
    projection: CaseProjection
    roles: dict[str, str]  # role → person's name


def _rows(cases, now: dt.datetime) -> list[Row]:
    cal = firm_calendar()
    cases = list(cases)
    runs = defaultdict(list)
    for r in StepRun.objects.filter(case__in=cases).select_related("track"):
        runs[r.case_id].append(r)
    team = defaultdict(dict)
    for a in Assignment.objects.filter(case__in=cases, user__isnull=False).select_related("user"):
        team[a.case_id][a.role] = staff_display_name(a.user)
    delays = step_delays(runs)
    return [
        Row(
            c,
            case_projection(c, now=now, cal=cal, runs=runs[c.pk], delays=delays.get(c.pk, {})),
            team[c.pk],
        )
        for c in cases
    ]


def board(*, user, now: dt.datetime) -> dict:
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    active = _active_cases().order_by("-priority", "requested_deadline", "pk")
    rows = _rows(active, now)
    found = demands(now=now, projections={r.case.pk: r.projection for r in rows})
    mine_ids = set(
        Case.objects.filter(
            Q(assignments__user=user) | Q(created_by=user),
            state__in=[s.value for s in ACTIVE_STATES],
        ).values_list("pk", flat=True)
    )
    due_today = [
        r
        for r in rows
        if r.case.requested_deadline == today
        or any(
            v.state != "done" and v.finish.astimezone(cal.tz).date() == today
            for v in r.projection.steps
        )
    ]
    return {
        "mine": [r for r in rows if r.case.pk in mine_ids],
        "queue": rows,
        "due_today": due_today,
        "at_risk": [r for r in rows if r.projection.at_risk],
        "stale": stale_tracks(now=now),
        "waits": wait_rows(waits(now=now, found=found)),
        # The client's seals and licences held past their return date, and handovers the other
        # party has not confirmed; approvals waiting on this user.
        "custody_overdue": list(overdue_items(now)[:20]),
        "custody_unconfirmed": list(unconfirmed_movements()[:20]),
        "my_approvals": list(pending_for(user)[:20]),
        "prereviews_overdue": list(overdue_prereviews(now)[:20]),
        **_monitoring(now),
        **workload(now=now, found=found),
        "today": today,
        "workday": cal.is_workday(today),
        "sync_time": settings.EXPEDITE_SYNC_TIME,
        "feedback_time": settings.EXPEDITE_CLIENT_FEEDBACK_TIME,
    }


def _monitoring(now: dt.datetime) -> dict:
    from expedite.monitoring.selectors import open_incidents, pending_warnings

    return {"open_incidents": open_incidents(now=now), "pending_warnings": list(pending_warnings())}


def workload(*, now: dt.datetime, days: int = WORKLOAD_DAYS, found=None) -> dict:
    """Planned hours per person and working day against capacity, as a picture and numbers."""
    cal = firm_calendar()
    window = horizon(now, days)
    staff = people(needs_days=window)
    load = load_of(demands(now=now) if found is None else found)
    rows = []
    over = []
    for p in staff:
        cells = [(round(load.get((p.id, d), 0.0), 1), p.capacity_on(d)) for d in window]
        rows.append((p.name, cells))
        for d, (h, c) in zip(window, cells, strict=True):
            if h > c:
                over.append((p.name, d, h, c))
    return {
        "workload_svg": workload_svg(rows, window, now.astimezone(cal.tz).date()),
        "workload_days": window,
        "over_capacity": over,
    }


@dataclass(frozen=True, slots=True)
class WaitRow:
    person: str
    case: Case
    workdays: int
    behind: list[Case]


def wait_rows(found: list[Wait]) -> list[WaitRow]:
    if not found:
        return []
    ids = {w.case_id for w in found} | {c for w in found for c in w.behind}
    cases = Case.objects.select_related("client", "service").in_bulk(ids)
    names = {
        u.pk: staff_display_name(u)
        for u in get_user_model().objects.filter(pk__in={w.person_id for w in found})
    }
    return [
        WaitRow(
            names.get(w.person_id, "?"),
            cases[w.case_id],
            w.workdays,
            [cases[c] for c in w.behind if c in cases],
        )
        for w in sorted(found, key=lambda w: (-w.workdays, w.case_id))
    ]


def case_waits(case: Case, *, now: dt.datetime) -> list[WaitRow]:
    """The waits this case causes or suffers: only its people's queues are served."""
    persons = set(case.assignments.filter(user__isnull=False).values_list("user_id", flat=True))
    if not persons:
        return []
    found = waits(now=now, persons=persons)
    return [r for r in wait_rows(found) if r.case.pk == case.pk or case in r.behind]
