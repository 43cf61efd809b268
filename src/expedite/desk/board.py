"""The board: my cases, the queue, due today, at risk, stale tracks, workload, who waits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from expedite.accounts.selectors import staff_display_name
from expedite.approvals.selectors import pending_for
from expedite.cases.models import Case
from expedite.custody.selectors import overdue_items, unconfirmed_movements
from expedite.materials.selectors import overdue_prereviews
from expedite.monitoring.selectors import open_incidents, pending_warnings
from expedite.work.load import wait_rows, workload
from expedite.work.models import Assignment, StepRun
from expedite.work.selectors import (
    ACTIVE_STATES,
    CaseProjection,
    _active_cases,
    case_projection,
    demands,
    stale_tracks,
    step_delays,
    waits,
)
from expedite.workdays.selectors import firm_calendar


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
        "waits": wait_rows(waits(now=now, found=found), {r.case.pk: r.projection for r in rows}),
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
    return {"open_incidents": open_incidents(now=now), "pending_warnings": list(pending_warnings())}
