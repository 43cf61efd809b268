"""The client's view of a case: no account, a signed link, client-visible facts only."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from expedite.cases.models import Case
from expedite.workdays.display import deadline_facts
from expedite.workdays.selectors import firm_calendar

from .links import case_id_from_token


def portal_case(request, token: str):
    case_id = case_id_from_token(token)
    case = (
        Case.objects.select_related("client", "service").filter(pk=case_id).first()
        if case_id
        else None
    )
    if case is None:
        raise Http404("invalid link")
    context = {
        "case": case,
        "deadline": deadline_facts(
            firm_calendar(), case.requested_deadline, today=timezone.localdate()
        ),
        "service_name": case.service.display_name(get_language()),
        "milestones": case.service.milestones,
    }
    response = render(request, "portal/case.html", context)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
