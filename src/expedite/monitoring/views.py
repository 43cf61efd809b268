"""The case page's 日报 / 异常 / 风险预警 section and its actions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.panels import panel_url
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import flash_outcome
from expedite.domain.roles import Capability
from expedite.work.models import StepRun

from . import incidents as incident_services
from . import reports as report_services
from .forms import (
    IncidentAckForm,
    IncidentRaiseForm,
    IncidentResolveForm,
    ReportEditForm,
    RiskRecordForm,
    SettingsForm,
    WarningApproveForm,
)
from .models import INCIDENT_KIND_CHOICES, DailyReport, Incident, RiskWarning
from .selectors import case_monitoring


def monitoring_context(request, case) -> dict:
    user = request.user
    return {
        "mon": case_monitoring(case, now=clock.now()),
        "mon_can_message": user_can(user, Capability.CLIENT_MESSAGE),
        "mon_can_raise": user_can(user, Capability.RAISE_INCIDENT),
        "mon_can_handle": user_can(user, Capability.HANDLE_INCIDENT),
        "mon_kinds": INCIDENT_KIND_CHOICES,
        "mon_default_time": settings.EXPEDITE_REPORT_TIME,
    }


def _refused(request, pk: int, form):
    """A form the panel posted that does not parse: say why, change nothing."""
    messages.error(request, first_error(form))
    return redirect(panel_url(pk, "monitoring"))


def _done(request, pk: int, fn, ok: str):
    flash_outcome(request, fn, ok)
    return redirect(panel_url(pk, "monitoring"))


def _case(request, pk: int):
    return access(case_selectors.access_case, user=request.user, pk=pk)


def _own(request, model, pk: int):
    row = get_object_or_404(model, pk=pk)
    _case(request, row.case_id)
    return row


@login_required
@require_POST
def report_draft_view(request, pk: int):
    case = _case(request, pk)
    return _done(
        request,
        pk,
        lambda: report_services.report_draft_now(actor=request.user, case=case, now=clock.now()),
        _("已生成今日日报草稿。"),
    )


@login_required
@require_POST
def report_edit_view(request, report_id: int):
    report = _own(request, DailyReport, report_id)
    form = ReportEditForm(request.POST)
    if not form.is_valid():
        return _refused(request, report.case_id, form)
    p = form.cleaned_data
    return _done(
        request,
        report.case_id,
        lambda: report_services.report_edit(
            actor=request.user,
            report=report,
            done_today=p["done_today"],
            plan_tomorrow=p["plan_tomorrow"],
            client_todo=p["client_todo"],
            now=clock.now(),
        ),
        _("已保存日报。"),
    )


@login_required
@require_POST
def report_send_view(request, report_id: int):
    report = _own(request, DailyReport, report_id)
    return _done(
        request,
        report.case_id,
        lambda: report_services.report_send(actor=request.user, report=report, now=clock.now()),
        _("日报已发送给客户。"),
    )


@login_required
@require_POST
def settings_view(request, pk: int):
    case = _case(request, pk)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的时间，例如 16:00。"))
        return redirect(panel_url(pk, "monitoring"))
    return _done(
        request,
        pk,
        lambda: report_services.monitoring_settings_save(
            actor=request.user,
            case=case,
            report_time=form.cleaned_data["report_time"],
            continue_on_holidays=form.cleaned_data["continue_on_holidays"],
        ),
        _("已保存日报设置。"),
    )


@login_required
@require_POST
def incident_raise_view(request, pk: int):
    case = _case(request, pk)
    form = IncidentRaiseForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, form)
    p = form.cleaned_data
    return _done(
        request,
        pk,
        lambda: incident_services.incident_raise(
            actor=request.user,
            case=case,
            kind=p["kind"],
            description=p["description"],
            impact_hours=p["impact_hours"],
            step=StepRun.objects.filter(case=case, pk=p["step"]).first() if p["step"] else None,
            now=clock.now(),
        ),
        _("已登记异常，请在一个工作小时内响应。"),
    )


@login_required
@require_POST
def incident_action_view(request, incident_id: int, action: str):
    incident = get_object_or_404(Incident, pk=incident_id)
    if incident.case_id is not None:
        _case(request, incident.case_id)
    now = clock.now()
    form = (IncidentAckForm if action == "ack" else IncidentResolveForm)(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(_incident_home(incident))
    p = form.cleaned_data
    if action == "ack":

        def fn():
            return incident_services.incident_acknowledge(
                actor=request.user,
                incident=incident,
                cause=p["cause"],
                remedy=p["remedy"],
                now=now,
            )

        ok = _("已响应异常。")
    elif action == "resolve":

        def fn():
            return incident_services.incident_resolve(
                actor=request.user, incident=incident, resolution=p["resolution"], now=now
            )

        ok = _("异常已解决。")
    else:
        return redirect(_incident_home(incident))
    # A firm-wide incident has no case page: it is answered on the board, where it is listed.
    flash_outcome(request, fn, ok)
    return redirect(_incident_home(incident))


def _incident_home(incident: Incident) -> str:
    if incident.case_id is None:
        return reverse("board") + "#incidents"
    return panel_url(incident.case_id, "monitoring")


@login_required
@require_POST
def risk_record_view(request, pk: int):
    case = _case(request, pk)
    form = RiskRecordForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, form)
    p = form.cleaned_data
    return _done(
        request,
        pk,
        lambda: incident_services.risk_record_external(
            actor=request.user,
            case=case,
            reason=p["reason"],
            mitigation=p["mitigation"],
            extra_days=p["extra_days"] or "0",
            now=clock.now(),
        ),
        _("已登记外部风险。"),
    )


@login_required
@require_POST
def warning_action_view(request, warning_id: int, action: str):
    warning = _own(request, RiskWarning, warning_id)
    now = clock.now()
    if action == "approve":
        form = WarningApproveForm(request.POST)
        if not form.is_valid():
            return _refused(request, warning.case_id, form)

        def fn():
            return incident_services.warning_approve(
                actor=request.user,
                warning=warning,
                mitigation=form.cleaned_data["mitigation"] or None,
                now=now,
            )

        ok = _("已向客户发送风险提示。")
    elif action == "dismiss":

        def fn():
            return incident_services.warning_dismiss(actor=request.user, warning=warning, now=now)

        ok = _("该预警不告知客户。")
    else:
        return redirect(panel_url(warning.case_id, "monitoring"))
    return _done(request, warning.case_id, fn, ok)
