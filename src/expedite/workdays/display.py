"""Dates as people see them on a page: every one goes through the calendar."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext

from expedite.domain.calendar import DayKind, WorkCalendar
from expedite.domain.phrases import render


@dataclass(frozen=True, slots=True)
class DeadlineFacts:
    date: dt.date
    workdays_left: int  # workdays in [today, deadline], both included; 0 once past
    past: bool
    workday: bool  # whether the deadline itself is a workday
    day_text: str  # e.g. "2026-02-14 周六 调休上班（春节）"
    provisional: bool  # the span touches a year whose 放假安排 is not published


def deadline_facts(cal: WorkCalendar, deadline: dt.date, *, today: dt.date) -> DeadlineFacts:
    info = cal.explain(deadline)
    past = deadline < today
    left = 0 if past else cal.workdays_between(today, deadline + dt.timedelta(days=1))
    lo, hi = min(today, deadline), max(today, deadline)
    return DeadlineFacts(
        date=deadline,
        workdays_left=left,
        past=past,
        workday=info.workday,
        day_text=render(info.phrase().as_json(), translate=gettext),
        provisional=cal.provisional_between(lo, hi),
    )


@dataclass(frozen=True, slots=True)
class DayCell:
    date: dt.date | None
    kind: str
    name: str | None
    today: bool


def year_grid(cal: WorkCalendar, year: int, *, today: dt.date) -> list[dict]:
    """Twelve months of weeks (Monday first) with each day's kind, for the calendar page."""
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for d in week:
                if d.month != month:
                    row.append(DayCell(None, "", None, today=False))
                    continue
                info = cal.explain(d)
                name = gettext(info.name) if info.name else info.name
                row.append(DayCell(d, info.kind.value, name, today=d == today))
            weeks.append(row)
        months.append({"month": month, "weeks": weeks})
    return months


def year_summary(cal: WorkCalendar, year: int) -> dict:
    start, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    kinds = {k: 0 for k in DayKind}
    d = start
    while d <= last:
        kinds[cal.explain(d).kind] += 1
        d += dt.timedelta(days=1)
    return {
        "workdays": len(cal.workdays_in(start, last)),
        "holidays": kinds[DayKind.HOLIDAY],
        "makeup": kinds[DayKind.MAKEUP_WORKDAY],
        "closures": kinds[DayKind.CLOSURE],
        "provisional": cal.is_provisional(start),
    }
