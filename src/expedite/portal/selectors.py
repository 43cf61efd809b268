"""What the client's status page shows: client-visible facts only, never staff notes.

Everything here is read for a case reached through its portal link; only the liaison's name
(the client's contact at the firm) leaves the firm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, staff_phone
from expedite.cases.models import Case, CaseDocument
from expedite.domain.cases import CaseState
from expedite.domain.portal import StepFact, milestone_states

from .access import client_verified
from .sections import NextStep, next_steps
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


@dataclass(frozen=True)
class Liaison:
    name: str
    phone: str  # "" when the liaison has no work phone on record


def liaison(case: Case) -> Liaison | None:
    """The client's contact at the firm: the only staff member the portal names."""
    ids = case_liaison_ids(case)
    if not ids:
        return None
    user = get_user_model().objects.filter(pk__in=ids).order_by("pk").first()
    return Liaison(name=staff_display_name(user), phone=staff_phone(user))


def liaison_name(case: Case) -> str:
    found = liaison(case)
    return found.name if found else ""


def client_files(case: Case):
    return CaseDocument.objects.filter(case=case, client_visible=True).order_by("-uploaded_at")


def todo(request, case: Case, *, now: dt.datetime) -> list[NextStep]:
    """ "您现在需要做的", read from the case's state: the three questions of a draft, then what
    the apps ask (materials to send or correct, handovers and the result to confirm), and
    验证身份 only when one of those actions needs it. Empty: nothing is waiting on the client."""
    items = []
    if case.state == CaseState.DRAFT and not case.intake.get("client"):
        items.append(NextStep(_("回答三个问题，帮助我们判断最快哪天能办好"), "#intake"))
    items.extend(next_steps(case, now=now))
    if any(i.needs_verification for i in items) and not client_verified(request, case, now=now):
        items.append(NextStep(_("验证身份（上传材料、签字、确认交接前需要）"), "verify/"))
    return items
