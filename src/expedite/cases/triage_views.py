"""Triage on the case page, the manager's override, and the priority queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import IntegerField, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.common.access import access
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError, NotAllowed
from expedite.domain.roles import Capability

from . import panels, selectors
from .alternative import adopted_alternative, case_adopt_alternative
from .forms import add_domain_error
from .page import case_page_context
from .plans import catalog_for, definition_for
from .triage import NOTICE, case_document_add, case_triage, case_verdict_override
from .triage_forms import AlternativeForm, IntakeForm, OverrideForm, initial_from
from .triage_text import readable


def triage_context(request, case, form=None, override_form=None) -> dict:
    service = definition_for(case)
    if form is None:
        form = IntakeForm(initial=initial_from(case), service=service, catalog=catalog_for(case))
    return {
        "intake_form": form,
        "override_form": override_form or OverrideForm(),
        "alternative_form": AlternativeForm(),
        "alternative": adopted_alternative(case),
        "can_triage": user_can(request.user, Capability.TRIAGE),
        "can_override": user_can(request.user, Capability.OVERRIDE_VERDICT),
        "client_answers": case.intake.get("client"),
        "notice_documents": [d for d in selectors.case_documents(case) if d.kind == NOTICE],
        **for_client(case),
    }


def for_client(case) -> dict:
    """The summary a liaison sends to the client, in the client's language (its primary
    contact's), whatever the language the liaison reads in."""
    if not case.triage:
        return {}
    language = selectors.client_language(case)
    with translation.override(language):
        summary = readable(case.triage)["summary"]
    return {"client_summary": summary, "client_language": language}


@login_required
@require_POST
def case_triage_view(request, pk: int):
    case = access(selectors.access_case, user=request.user, pk=pk)
    if not user_can(request.user, Capability.TRIAGE):
        raise PermissionDenied(_("您的角色无权研判加急单。"))
    service = definition_for(case)
    form = IntakeForm(request.POST, request.FILES, service=service, catalog=catalog_for(case))
    if form.is_valid():
        try:
            # One transaction: a refused triage leaves no uploaded notice behind either.
            with transaction.atomic():
                upload = form.cleaned_data.get("notice_file")
                if upload is not None:
                    case_document_add(
                        actor=request.user,
                        case=case,
                        kind=NOTICE,
                        name=upload.name,
                        content=upload.read(),
                    )
                case_triage(actor=request.user, case=case, data=form.to_input(), now=clock.now())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已完成研判。"))
            if request.htmx:  # a verdict changes other panels too: reload the page
                return HttpResponseClientRedirect(reverse("case_detail", args=[case.pk]))
            return redirect("case_detail", pk=case.pk)
    # Refused: the form comes back with its errors; with htmx only its panel is rendered.
    extra = {"intake_form": form}
    if request.htmx:
        return panels.panel_response(request, case, "triage", extra=extra, status=422)
    context = case_page_context(request, case, extra={"triage": extra})
    return render(request, "cases/case_detail.html", context, status=422)


@login_required
@require_POST
def case_override_view(request, pk: int):
    case = access(selectors.access_case, user=request.user, pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            case_verdict_override(
                actor=request.user,
                case=case,
                verdict=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
                now=clock.now(),
            )
        except DomainError as exc:
            messages.error(request, localized(exc))
        else:
            messages.success(request, _("已改判，理由已记录。"))
    else:
        messages.error(request, _("请选择新的结论并写明理由。"))
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_alternative_view(request, pk: int):
    """Record the client's agreement to the compliant alternative of a refused case."""
    case = access(selectors.access_case, user=request.user, pk=pk)
    form = AlternativeForm(request.POST)
    form.is_valid()  # one text field: the service checks it and names it
    try:
        case_adopt_alternative(
            actor=request.user,
            case=case,
            agreement=form.cleaned_data.get("agreement", ""),
            now=clock.now(),
        )
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已记录客户同意，本单改按合规替代方案办理，可以报价。"))
    return redirect(panels.panel_url(case.pk, "triage"))


@login_required
def triage_queue(request):
    """Triaged cases, most urgent first, with the reason for each rank (资源冲突时的排序)."""
    cases = access(selectors.case_list, user=request.user).filter(priority__isnull=False)
    cases = (
        # Finished, refused and delivered cases compete for no one's time any more.
        cases.exclude(state__in=["closed", "cancelled", "declined", "delivered", "confirmed"])
        # A red-line case is in the queue only once it became the compliant alternative.
        .exclude(Q(verdict="refused") & ~Q(intake__has_key="alternative"))
        # 假急 never ranks above a truly urgent case, whatever its score.
        .annotate(
            false_urgency=DbCase(
                When(verdict="false_urgency", then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("false_urgency", "-priority", "requested_deadline")
    )
    return render(request, "cases/queue.html", {"cases": cases[:200]})
