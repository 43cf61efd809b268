"""What the client's status page shows: client-visible facts only, never staff notes.

Everything here is read for a case reached through its portal link; only the liaison's name
(the client's contact at the firm) leaves the firm.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from expedite.accounts.selectors import staff_display_name
from expedite.cases.models import Case, CaseDocument
from expedite.domain.cases import CaseState
from expedite.domain.portal import StepFact, milestone_states

from .access import client_verified
from .services import case_liaison_ids

# Once the result is handed over every milestone is behind the client.
_FINISHED = frozenset({CaseState.DELIVERED, CaseState.CONFIRMED, CaseState.CLOSED})


def milestones(case: Case) -> list[tuple[str, str]]:
    steps = [
        StepFact(milestone=s.milestone, finished=s.finished_at is not None)
        for s in case.steps.order_by("position", "pk").only("milestone", "finished_at")
    ]
    if CaseState(case.state) in _FINISHED:
        steps = [StepFact(milestone=s.milestone, finished=True) for s in steps]
    return [(m, state.value) for m, state in milestone_states(case.service.milestones, steps)]


def liaison_name(case: Case) -> str:

    ids = case_liaison_ids(case)
    if not ids:
        return ""

    user = get_user_model().objects.filter(pk__in=ids).order_by("pk").first()
    return staff_display_name(user)


def client_files(case: Case):
    return CaseDocument.objects.filter(case=case, client_visible=True).order_by("-uploaded_at")


def todo(request, case: Case, *, now: dt.datetime, sections) -> list[dict]:
    """ "您现在需要做的": each item a code the page words and an anchor on the page; the
    sections add theirs (a handover to confirm, a result to confirm)."""
    items = []
    if case.state == CaseState.DRAFT and not case.intake.get("client"):
        items.append({"text": "answer", "href": "#intake"})
    for section in sections:
        items.extend(section.context.get("portal_todo", ()))
    if not client_verified(request, case, now=now):
        items.append({"text": "verify", "href": "verify/"})
    return items
