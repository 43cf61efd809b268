"""The client's projected finish on the portal page, from the plan and the progress so far."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from expedite.cases.models import Case
from expedite.domain.cases import CaseState
from expedite.portal.sections import Finish
from expedite.workdays.selectors import firm_calendar

from .selectors import case_projection

# A projection means something only while the firm is working on the case.
_PROJECTED = frozenset(
    {
        CaseState.ACCEPTED,
        CaseState.MATERIALS,
        CaseState.IN_PROGRESS,
        CaseState.ON_HOLD,
        CaseState.REVIEW,
    }
)


def projected_finish(case: Case, now: dt.datetime) -> Finish | None:
    if CaseState(case.state) not in _PROJECTED:
        return None
    projection = case_projection(case, now=now)
    if projection.finish is None:
        return None
    cal = firm_calendar()
    day = timezone.localtime(projection.finish, cal.tz).date()
    try:
        provisional = cal.is_provisional(day)
    except ValueError:
        provisional = True
    return Finish(date=day, provisional=provisional)
