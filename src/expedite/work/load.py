"""Load and waits: planned hours per person against capacity, and who waits for whom."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from expedite.accounts.selectors import staff_display_name
from expedite.cases.models import Case
from expedite.charts.timeline import workload_svg
from expedite.domain.staffing import Wait
from expedite.workdays.selectors import firm_calendar

from .selectors import (
    CaseProjection,
    case_projection,
    demands,
    horizon,
    load_of,
    people,
    waits,
)

WORKLOAD_DAYS = 10


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
    # Working days the wait runs past the slack of the waiting case's projection (0: within
    # it; None: no projection), so the line and the case's own finish say the same thing.
    beyond_slack: float | None = None


def _beyond(workdays: int, proj: CaseProjection | None) -> float | None:
    if proj is None or proj.slack_us is None:
        return None
    return max(round((workdays * proj.day_us - proj.slack_us) / proj.day_us, 1), 0.0)


def wait_rows(
    found: list[Wait], projections: dict[int, CaseProjection] | None = None
) -> list[WaitRow]:
    """`projections`: the waiting cases' projections for this `now`, by case id."""
    if not found:
        return []
    projections = projections or {}
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
            _beyond(w.workdays, projections.get(w.case_id)),
        )
        for w in sorted(found, key=lambda w: (-w.workdays, w.case_id))
    ]


def case_waits(case: Case, *, now: dt.datetime) -> list[WaitRow]:
    """The waits this case causes or suffers: only its people's queues are served."""
    persons = set(case.assignments.filter(user__isnull=False).values_list("user_id", flat=True))
    if not persons:
        return []
    found = [
        w for w in waits(now=now, persons=persons) if w.case_id == case.pk or case.pk in w.behind
    ]
    waiting = Case.objects.in_bulk({w.case_id for w in found})
    projections = {pk: case_projection(c, now=now) for pk, c in waiting.items()}
    return wait_rows(found, projections)
