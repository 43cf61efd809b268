from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.common.access import access
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError, NotFound
from expedite.domain.roles import Capability
from expedite.workdays.display import deadline_facts
from expedite.workdays.selectors import firm_calendar

from . import selectors, services
from .clocks import read_clocks
from .costs import fee_comparison
from .forms import CaseForm, ClientForm, ContactForm, add_domain_error
from .lifecycle import case_allowed
from .models import CASE_STATE_CHOICES


@login_required
def case_list(request):
    query = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("state", "")
    cases = access(selectors.case_list, user=request.user, query=query, state=state)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    cal, today = firm_calendar(), clock.today()
    for case in page:
        case.deadline = deadline_facts(cal, case.requested_deadline, today=today)
    context = {
        "page": page,
        "query": query,
        "state": state,
        "states": CASE_STATE_CHOICES,
        "can_create": user_can(request.user, Capability.CREATE_CASE),
    }
    template = "cases/_case_rows.html" if request.htmx else "cases/case_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_create(request):
    if not user_can(request.user, Capability.CREATE_CASE):
        raise PermissionDenied(_("您的角色无权创建加急单。"))
    clients = selectors.client_list(user=request.user)
    form_kwargs = {
        "clients": clients,
        "services": selectors.service_list(),
        "language": get_language(),
    }
    initial = {"client": request.GET.get("client", "")}
    form = CaseForm(request.POST or None, initial=initial, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_create(
                actor=request.user,
                client_id=data["client"],
                service_code=data["service"],
                requested_deadline=data["requested_deadline"],
                reason=data["reason"],
                now=clock.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已创建加急单 %(ref)s。") % {"ref": case.reference})
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "has_clients": clients.exists()})


def case_detail_context(request, case) -> dict:
    from expedite.reviews.views import review_context
    from expedite.work.views import work_context

    from .triage_views import triage_context

    events = case.audit_events.order_by("-seq")[:50]
    return {
        "case": case,
        "events": events,
        "deadline": deadline_facts(firm_calendar(), case.requested_deadline, today=clock.today()),
        "service_name": case.service.display_name(get_language()),
        "created_by_name": staff_display_name(case.created_by),
        "clocks": read_clocks(case.clocks, now=clock.now()),
        **_planning(request, case, triage_context),
        **_portal_context(request, case),
        "costs": fee_comparison(case),
        "can_record_cost": user_can(request.user, Capability.RECORD_COST),
        "can_move": user_can(request.user, Capability.MOVE_CASE),
        "allowed_states": [(s, dict(CASE_STATE_CHOICES)[s]) for s in case_allowed(case)],
        "cost_form": _cost_form(),
        **work_context(request, case),
        **review_context(request, case),
        **_custody(request, case),
        **_approvals_context(request, case),
        **_materials_context(request, case),
        **_monitoring_context(request, case),
        **_kpi_context(request, case),
        **_learning_context(request, case),
        **_delivery_context(request, case),
    }


@login_required
def case_detail(request, pk: int):
    case = access(selectors.access_case, user=request.user, pk=pk)
    return render(request, "cases/case_detail.html", case_detail_context(request, case))


def _materials_context(request, case) -> dict:
    from expedite.materials.views import materials_context

    return materials_context(request, case)


def _learning_context(request, case) -> dict:
    from expedite.learning.views import retrospective_context

    return retrospective_context(request, case)


def _approvals_context(request, case) -> dict:
    from expedite.approvals.views import approvals_context

    return approvals_context(request, case)


def _kpi_context(request, case) -> dict:
    from expedite.kpi.views import kpi_case_context

    return kpi_case_context(request, case)


def _monitoring_context(request, case) -> dict:
    from expedite.monitoring.views import monitoring_context

    return monitoring_context(request, case)


def _delivery_context(request, case) -> dict:
    from expedite.delivery.views import delivery_context

    return delivery_context(request, case)


def _cost_form():
    from .cost_views import CostForm

    return CostForm()


def _custody(request, case) -> dict:
    from expedite.custody.views import custody_context

    return custody_context(request, case)


def _planning(request, case, triage_context) -> dict:
    """Plan and triage panels; a service no catalog knows any more gets a message, not an error."""
    try:
        return {**_plan_context(request, case), **triage_context(request, case)}
    except NotFound as exc:
        return {"plan_unavailable": localized(exc)}


def _plan_context(request, case) -> dict:
    from .plan_views import plan_context

    return plan_context(request, case)


def _portal_context(request, case) -> dict:
    from expedite.portal.staff_views import portal_context

    return portal_context(request, case)


def _contact(data: dict) -> services.ContactInput:
    return services.ContactInput(
        name=data["contact_name"],
        title=data["contact_title"],
        phone=data["contact_phone"],
        email=data["contact_email"],
    )


@login_required
def client_list(request):
    query = request.GET.get("q", "").strip()[:100]
    clients = access(selectors.client_list, user=request.user, query=query)
    page = Paginator(clients, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/client_list.html",
        {
            "page": page,
            "query": query,
            "can_create": user_can(request.user, Capability.CREATE_CLIENT),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def client_create(request):
    if not user_can(request.user, Capability.CREATE_CLIENT):
        raise PermissionDenied(_("您的角色无权登记客户。"))
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.client_create(
                actor=request.user,
                name=data["name"],
                uscc=data["uscc"],
                value_tier=data["value_tier"],
                notes=data["notes"],
                contacts=[_contact(data)],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记客户 %(name)s。") % {"name": client.name})
            return redirect("client_detail", pk=client.pk)
    return render(request, "cases/client_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def client_detail(request, pk: int):
    client = access(selectors.access_client, user=request.user, pk=pk)
    can_edit = user_can(request.user, Capability.CREATE_CLIENT)
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("您的角色无权修改客户。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.client_contact_add(
                    actor=request.user,
                    client=client,
                    contact=_contact(data),
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已添加联系人。"))
                return redirect("client_detail", pk=client.pk)
    context = {
        "client": client,
        "contacts": client.contacts.all(),
        "cases": client.cases.select_related("service").all()[:50],
        "form": form,
        "can_edit": can_edit,
        "can_create_case": user_can(request.user, Capability.CREATE_CASE),
    }
    return render(request, "cases/client_detail.html", context)
