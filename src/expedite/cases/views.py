from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError, NotAllowed, NotFound
from expedite.domain.roles import Capability
from expedite.workdays.display import deadline_facts
from expedite.workdays.selectors import firm_calendar

from . import page, panels, selectors, services
from .choice import CHOOSABLE_STATES, case_choose_option, quoted_options
from .clocks import read_clocks
from .cost_views import CostForm
from .costs import fee_comparison
from .export_views import export_query
from .forms import (
    CaseForm,
    ClientForm,
    ContactForm,
    ContactLanguageForm,
    OptionChoiceForm,
    add_domain_error,
)
from .models import CASE_STATE_CHOICES, CONTACT_LANGUAGE_CHOICES, ContactChannel
from .plan_views import plan_context
from .triage_views import triage_context


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
        "export_query": export_query(q=query, state=state),
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


@login_required
def case_detail(request, pk: int):
    case = access(selectors.access_case, user=request.user, pk=pk)
    return render(request, "cases/case_detail.html", page.case_page_context(request, case))


def facts_panel(request, case) -> dict:
    return {
        "deadline": deadline_facts(firm_calendar(), case.requested_deadline, today=clock.today()),
        "service_name": case.service.display_name(get_language()),
        "created_by_name": staff_display_name(case.created_by),
    }


def triage_panel(request, case) -> dict:
    """Triage; a service no catalog knows any more gets a message, not an error."""
    try:
        return triage_context(request, case)
    except NotFound as exc:
        return {"plan_unavailable": localized(exc)}


OPTION_LABELS = {
    "standard": gettext_lazy("常规流程"),
    "recommended": gettext_lazy("推荐：最省钱的达标方案"),
    "fastest": gettext_lazy("最快方案"),
}


def plan_panel(request, case) -> dict:
    try:
        context = plan_context(request, case)
    except NotFound as exc:
        return {"plan_unavailable": localized(exc)}
    # The options the client was quoted at triage, and the one it chose.
    current = (case.triage.get("recommended_option") or {}).get("key")
    context["quoted"] = [
        {"key": key, "label": OPTION_LABELS.get(key, key), "option": o, "current": key == current}
        for key, o in quoted_options(case).items()
    ]
    context["client_choice"] = case.triage.get("client_choice")
    context["can_choose"] = case.state in CHOOSABLE_STATES and user_can(
        request.user, Capability.MOVE_CASE
    )
    return context


def costs_panel(request, case) -> dict:
    return {
        "costs": fee_comparison(case),
        "can_record_cost": user_can(request.user, Capability.RECORD_COST),
        "cost_form": CostForm(),
    }


def clocks_panel(request, case) -> dict:
    return {"clocks": read_clocks(case.clocks, now=clock.now())}


def events_panel(request, case) -> dict:
    return {"events": case.audit_events.order_by("-seq")[:50]}


def register_case_panels() -> None:
    # Costs and the event list sit below every feature's panel: they load once scrolled into
    # view. The clocks stay on the page: they are the promise's measure.
    for key, order, template, context, half, lazy in (
        ("facts", 100, "cases/_facts_panel.html", facts_panel, True, False),
        ("triage", 200, "cases/_triage_panel.html", triage_panel, False, False),
        ("plan", 300, "cases/_plan_panel.html", plan_panel, False, False),
        ("costs", 1300, "cases/_costs_panel.html", costs_panel, False, True),
        ("clocks", 1400, "cases/_clocks_panel.html", clocks_panel, False, False),
        ("events", 1500, "cases/_events_panel.html", events_panel, False, True),
    ):
        panels.register_panel(panels.Panel(key, order, template, context, half=half, lazy=lazy))


@login_required
def case_panel(request, pk: int, key: str):
    """One panel of the case page on its own (a lazy panel loading)."""
    case = access(selectors.access_case, user=request.user, pk=pk)
    return panels.panel_response(request, case, key)


def _contact(data: dict) -> services.ContactInput:
    return services.ContactInput(
        name=data["contact_name"],
        title=data["contact_title"],
        phone=data["contact_phone"],
        email=data["contact_email"],
        language=data["contact_language"],
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
            "export_query": export_query(q=query),
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
        "languages": CONTACT_LANGUAGE_CHOICES,
        "channels": ContactChannel.choices,
        "cases": client.cases.select_related("service").all()[:50],
        "credentials": selectors.client_credentials(client, today=clock.today()),
        "form": form,
        "can_edit": can_edit,
        "can_create_case": user_can(request.user, Capability.CREATE_CASE),
    }
    return render(request, "cases/client_detail.html", context)


@login_required
@require_POST
def client_contact_language(request, pk: int):
    """Change the language one of the client's contacts reads (portal, messages, PDF)."""
    client = access(selectors.access_client, user=request.user, pk=pk)
    if not user_can(request.user, Capability.CREATE_CLIENT):
        raise PermissionDenied(_("您的角色无权修改客户。"))
    form = ContactLanguageForm(request.POST)
    contact = None
    if form.is_valid():
        contact = client.contacts.filter(pk=form.cleaned_data["contact"]).first()
    if not form.is_valid() or contact is None:
        messages.error(request, first_error(form) or _("请选择该客户登记的联系人。"))
        return redirect("client_detail", pk=client.pk)
    try:
        services.client_contact_set_preferences(
            actor=request.user,
            contact=contact,
            language=form.cleaned_data["language"],
            channel=form.cleaned_data.get("channel") or "",
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已保存 %(name)s 的语言和通知方式。") % {"name": contact.name})
    return redirect("client_detail", pk=client.pk)


@login_required
@require_POST
def case_choose(request, pk: int):
    """Record the option the client chose among those quoted."""
    case = access(selectors.access_case, user=request.user, pk=pk)
    form = OptionChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(panels.panel_url(case.pk, "plan"))
    try:
        case_choose_option(
            actor=request.user, case=case, key=form.cleaned_data["option"], now=clock.now()
        )
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已记录客户选择的方案；报价、计划和费用按此方案。"))
    return redirect(panels.panel_url(case.pk, "plan"))
