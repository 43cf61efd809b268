"""Batch pages: the list, the intake of several companies, the batch's one plan, and the
panel on each case page that links to its batch and sibling cases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.forms import add_domain_error
from expedite.cases.plans import catalog_for, definition_for
from expedite.cases.triage_forms import IntakeForm, initial_from
from expedite.cases.words import list_sep, term
from expedite.charts.timeline import plan_svg
from expedite.common.access import access
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError, NotFound
from expedite.domain.roles import Capability
from expedite.workdays.display import deadline_facts

from . import selectors, services
from .forms import BatchForm


@login_required
def batch_list(request):
    batches = access(selectors.batch_list, user=request.user)
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    context = {"page": page, "can_create": user_can(request.user, Capability.CREATE_CASE)}
    return render(request, "batches/batch_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def batch_create(request):
    if not user_can(request.user, Capability.CREATE_CASE):
        raise PermissionDenied(_("您的角色无权创建加急单。"))
    form = BatchForm(
        request.POST or None,
        initial={"companies": request.GET.getlist("client")},
        clients=case_selectors.client_list(user=request.user),
        contacts=selectors.requester_choices(user=request.user),
        services=case_selectors.service_list(),
        language=get_language(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_create(
                actor=request.user,
                companies=[services.BatchCompany(client_id=pk) for pk in data["companies"]],
                requester_contact_id=data["requester"],
                service_code=data["service"],
                requested_deadline=data["requested_deadline"],
                reason=data["reason"],
                now=clock.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("已创建批量申请 %(ref)s：%(n)d 家公司各一张加急单。")
                % {"ref": batch.reference, "n": len(data["companies"])},
            )
            return redirect("batch_detail", batch_id=batch.pk)
    return render(request, "batches/batch_form.html", {"form": form})


def _triage_form(batch, cases, data=None, files=None):
    """The intake questions of the batch's service, asked once for every company; None when
    the service left the catalog."""
    if not cases:
        return None
    first = cases[0]
    try:
        service, catalog = definition_for(first), catalog_for(first)
    except NotFound:
        return None
    # Pre-filled as the case page does (from the first case's answers), with the batch's date.
    initial = {**initial_from(first), "deadline": batch.requested_deadline}
    return IntakeForm(data, files, initial=initial, service=service, catalog=catalog)


def batch_context(request, batch, *, triage_form=None) -> dict:
    cases = selectors.batch_cases(batch, user=request.user)
    plan = selectors.batch_plan(batch, cases=cases, now=clock.now())
    # One group of rows per company on the case page's chart, with the batch's deadline.
    rows = [(f"{r.case.client.name} · {r.case.reference}", r.plan) for r in plan.rows if r.plan]
    gantt = (
        plan_svg(rows, plan.calendar, deadline=batch.requested_deadline, term=term) if rows else ""
    )
    triageable = [c for c in cases if c.state in services.TRIAGEABLE]
    can_triage = bool(triageable) and user_can(request.user, Capability.TRIAGE)
    if can_triage and triage_form is None:
        triage_form = _triage_form(batch, triageable)
    return {
        "batch": batch,
        "plan": plan,
        "rows": [
            {
                "row": r,
                "bottleneck": plan.is_bottleneck(r),
                "meets": r.finish.astimezone(plan.calendar.tz).date() <= batch.requested_deadline
                if r.finish
                else None,
            }
            for r in plan.rows
        ],
        "list_sep": list_sep(),
        "service_name": batch.service.display_name(get_language()),
        "deadline": deadline_facts(plan.calendar, batch.requested_deadline, today=clock.today()),
        "created_by_name": staff_display_name(batch.created_by),
        "gantt": mark_safe(gantt),  # noqa: S308 - built with escape()
        "triage_form": triage_form if can_triage else None,
        "triageable": triageable,
        "drafts": any(c.state == CaseState.DRAFT for c in triageable),
    }


@login_required
def batch_detail(request, batch_id: int):
    batch = access(selectors.access_batch, user=request.user, pk=batch_id)
    return render(request, "batches/batch_detail.html", batch_context(request, batch))


@login_required
@require_POST
def batch_triage(request, batch_id: int):
    """Triage every case of the batch not yet quoted with one set of answers."""
    batch = access(selectors.access_batch, user=request.user, pk=batch_id)
    if not user_can(request.user, Capability.TRIAGE):
        raise PermissionDenied(_("您的角色无权研判加急单。"))
    cases = [
        c for c in selectors.batch_cases(batch, user=request.user) if c.state in services.TRIAGEABLE
    ]
    form = _triage_form(batch, cases, request.POST, request.FILES)
    if form is None:
        messages.error(request, _("本批没有可以研判的加急单：研判只适用于尚未报价的加急单。"))
        return redirect("batch_detail", batch_id=batch.pk)
    if form.is_valid():
        upload = form.cleaned_data.get("notice_file")
        try:
            decided = services.batch_triage(
                actor=request.user,
                batch=batch,
                data=form.to_input(),
                now=clock.now(),
                notice=(upload.name, upload.read()) if upload is not None else None,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已研判本批 %(n)d 张加急单。") % {"n": len(decided)})
            return redirect("batch_detail", batch_id=batch.pk)
    context = batch_context(request, batch, triage_form=form)
    return render(request, "batches/batch_detail.html", context, status=422)


def case_batch_panel(request, case) -> dict:
    """On a case page: its batch, and the other companies' cases the reader may see."""
    batch = selectors.batch_of(case)
    siblings = [c for c in selectors.batch_cases(batch, user=request.user) if c.pk != case.pk]
    return {"batch": batch, "siblings": siblings}


def in_a_batch(request, case) -> bool:
    return selectors.batch_of(case) is not None
