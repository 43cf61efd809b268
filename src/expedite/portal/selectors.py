"""What the client's status page shows: client-visible facts only, never staff notes.

Everything here is read for a case reached through its portal link; only the liaison's name
(the client's contact at the firm) leaves the firm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from expedite.accounts.selectors import staff_display_name
from expedite.cases.models import Case, CaseDocument
from expedite.domain.cases import CaseState
from expedite.domain.portal import StepFact, milestone_states
from expedite.workdays.selectors import firm_calendar

from .access import client_verified

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
# Once the result is handed over every milestone is behind the client.
_FINISHED = frozenset({CaseState.DELIVERED, CaseState.CONFIRMED, CaseState.CLOSED})


@dataclass(frozen=True)
class Finish:
    date: dt.date
    provisional: bool


def milestones(case: Case) -> list[tuple[str, str]]:
    steps = [
        StepFact(milestone=s.milestone, finished=s.finished_at is not None)
        for s in case.steps.order_by("position", "pk").only("milestone", "finished_at")
    ]
    if CaseState(case.state) in _FINISHED:
        steps = [StepFact(milestone=s.milestone, finished=True) for s in steps]
    return [(m, state.value) for m, state in milestone_states(case.service.milestones, steps)]


def projected_finish(case: Case, *, now: dt.datetime) -> Finish | None:
    from expedite.work.selectors import case_projection

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


def liaison_name(case: Case) -> str:
    from .services import case_liaison_ids

    ids = case_liaison_ids(case)
    if not ids:
        return ""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk__in=ids).order_by("pk").first()
    return staff_display_name(user)


def client_files(case: Case):
    return CaseDocument.objects.filter(case=case, client_visible=True).order_by("-uploaded_at")


def has_confirmation(case: Case) -> bool:
    from expedite.delivery.models import Confirmation

    return Confirmation.objects.filter(case=case).exists()


def todo(request, case: Case, *, now: dt.datetime, custody_pending: list) -> list[dict]:
    """ "您现在需要做的": each item a text and an anchor on the page."""
    items = []
    if case.state == CaseState.DRAFT and not case.intake.get("client"):
        items.append({"text": "answer", "href": "#intake"})
    if custody_pending:
        items.append({"text": "custody", "href": "#custody"})
    if case.state == CaseState.DELIVERED and not has_confirmation(case):
        items.append({"text": "confirm", "href": "confirm/"})
    if not client_verified(request, case, now=now):
        items.append({"text": "verify", "href": "verify/"})
    return items
