"""The case page's 日报 / 异常 / 风险预警 section and its actions."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.panels import panel_url
from expedite.common.access import access
from expedite.common.i18n import flash_outcome
from expedite.domain.roles import Capability
from expedite.domain.text import parse_id
from expedite.work.models import StepRun

from . import incidents as incident_services
from . import reports as report_services
from .models import INCIDENT_KIND_CHOICES, DailyReport, Incident, RiskWarning
from .selectors import case_monitoring


class SettingsForm(forms.Form):
    report_time = forms.TimeField(label=gettext_lazy("日报发送时间"), required=False)
    continue_on_holidays = forms.BooleanField(
        label=gettext_lazy("节假日照常发送日报"), required=False
    )


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
    p = request.POST
    return _done(
        request,
        report.case_id,
        lambda: report_services.report_edit(
            actor=request.user,
            report=report,
            done_today=p.get("done_today", ""),
            plan_tomorrow=p.get("plan_tomorrow", ""),
            client_todo=p.get("client_todo", ""),
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


def _step(case, raw: str):
    pk = parse_id(raw)
    return StepRun.objects.filter(case=case, pk=pk).first() if pk is not None else None


@login_required
@require_POST
def incident_raise_view(request, pk: int):
    case = _case(request, pk)
    p = request.POST
    return _done(
        request,
        pk,
        lambda: incident_services.incident_raise(
            actor=request.user,
            case=case,
            kind=p.get("kind", ""),
            description=p.get("description", ""),
            impact_hours=p.get("impact_hours", ""),
            step=_step(case, p.get("step", "")),
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
    p, now = request.POST, clock.now()
    if action == "ack":

        def fn():
            return incident_services.incident_acknowledge(
                actor=request.user,
                incident=incident,
                cause=p.get("cause", ""),
                remedy=p.get("remedy", ""),
                now=now,
            )

        ok = _("已响应异常。")
    elif action == "resolve":

        def fn():
            return incident_services.incident_resolve(
                actor=request.user, incident=incident, resolution=p.get("resolution", ""), now=now
            )

        ok = _("异常已解决。")
    else:
        return redirect(_incident_home(incident))
    # A firm-wide incident has no case page: it is answered on the board, where it is listed.
    flash_outcome(request, fn, ok)
    return redirect(_incident_home(incident))


def _incident_home(incident: Incident) -> str:
    if incident.case_id is None:
        return "/board/#incidents"
    return f"/cases/{incident.case_id}/#monitoring"


@login_required
@require_POST
def risk_record_view(request, pk: int):
    case = _case(request, pk)
    p = request.POST
    return _done(
        request,
        pk,
        lambda: incident_services.risk_record_external(
            actor=request.user,
            case=case,
            reason=p.get("reason", ""),
            mitigation=p.get("mitigation", ""),
            extra_days=p.get("extra_days", "0") or "0",
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

        def fn():
            return incident_services.warning_approve(
                actor=request.user,
                warning=warning,
                mitigation=request.POST.get("mitigation") or None,
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
