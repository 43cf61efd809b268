from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.domain.calendar import MAX_DATE, MIN_DATE
from expedite.domain.roles import Capability

from .display import year_grid, year_summary
from .selectors import firm_calendar, overrides


@login_required
def calendar_year(request):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied
    today = clock.today()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, MIN_DATE.year), MAX_DATE.year)
    cal = firm_calendar()
    context = {
        "year": year,
        "months": year_grid(cal, year, today=today),
        "summary": year_summary(cal, year),
        "hours": ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in cal.hours.windows),
        "overrides": overrides(),
        "can_manage": user_can(request.user, Capability.MANAGE_CALENDAR),
        "prev_year": year - 1 if year > MIN_DATE.year else None,
        "next_year": year + 1 if year < MAX_DATE.year else None,
    }
    return render(request, "workdays/calendar.html", context)
