"""The client's view of a case: no account, a signed link, client-visible facts only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from expedite.cases.models import Case
from expedite.cases.plans import definition_for
from expedite.cases.triage import case_intake_answer
from expedite.cases.triage_forms import stage_choices
from expedite.custody.views import portal_context as custody_portal_context
from expedite.domain.cases import CaseState
from expedite.workdays.display import deadline_facts
from expedite.workdays.selectors import firm_calendar

from .forms import ClientIntakeForm
from .links import case_id_from_token


def _initial(answers: dict) -> dict:
    initial = dict(answers)
    for key in ("written_notice", "materials_complete"):
        if isinstance(initial.get(key), bool):
            initial[key] = "yes" if initial[key] else "no"
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
def portal_case(request, token: str):
    case_id = case_id_from_token(token)
    case = (
        Case.objects.select_related("client", "service").filter(pk=case_id).first()
        if case_id
        else None
    )
    if case is None:
        raise Http404("invalid link")
    form = None
    # The three questions are asked until the firm has triaged the request.
    if case.state == CaseState.DRAFT:
        initial = case.intake.get("client") or {"deadline": case.requested_deadline}
        stages = stage_choices(definition_for(case))
        form = ClientIntakeForm(request.POST or None, initial=_initial(initial), stages=stages)
        if request.method == "POST" and form.is_valid():
            case_intake_answer(case=case, answers=form.answers())
            messages.success(request, _("已收到您的回答，我们会尽快给您答复。"))
            return redirect(request.path)
    elif request.method == "POST":
        return redirect(request.path)
    context = {
        "case": case,
        "form": form,
        "answered": bool(case.intake.get("client")),
        "deadline": deadline_facts(
            firm_calendar(), case.requested_deadline, today=timezone.localdate()
        ),
        "service_name": case.service.display_name(get_language()),
        "milestones": case.service.milestones,
        "token": token,
        **custody_portal_context(case),
    }
    response = render(request, "portal/case.html", context)
    # same-origin: the signed link never leaks to other sites, and the form's own POSTs still
    # carry an Origin that Django's CSRF check accepts (no-referrer would send "null").
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
