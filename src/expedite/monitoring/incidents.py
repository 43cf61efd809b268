"""异常 and 风险预警 as staff record and handle them.

An incident has one working hour for a response (cause and remedy); the SLA watch
(watch.py) escalates it when that passes. Its impact, and an external risk's extra days, become
a `StepDelay` the projection reads; when the projected finish moves, the client is told why.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.models import Case
from expedite.cases.words import term
from expedite.domain.audit import AuditKind
from expedite.domain.cases import FINAL
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.phrases import Phrase
from expedite.domain.reporting import (
    IncidentKind,
    RiskKind,
    days_us,
    delay_us,
    response_clock,
    risk_conditions,
)
from expedite.domain.roles import Capability, Role
from expedite.domain.sms import SmsKind
from expedite.domain.text import clean_text
from expedite.notify.notices import case_liaisons, role_users, tell_client, tell_staff
from expedite.notify.said import choice
from expedite.work.models import StepRun
from expedite.work.selectors import CaseProjection, case_projection
from expedite.workdays.selectors import firm_calendar

from .messages import warning_lines
from .models import INCIDENT_KIND_CHOICES, Incident, RiskWarning, StepDelay


def _fmt(t: dt.datetime | None) -> str:
    return t.astimezone(firm_calendar().tz).strftime("%Y-%m-%d %H:%M") if t else "—"


def _open_case(case: Case) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client")
        .get(pk=case.pk)
    )
    if case.state in {s.value for s in FINAL}:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，不能再登记异常或风险。"),
            field="case",
            params={"state": str(case.get_state_display())},
        )
    return case


def affected_step(case: Case, step: StepRun | None, now: dt.datetime) -> StepRun | None:
    """The step named, else the first unfinished step on the critical path, else any."""
    if step is not None:
        if step.case_id != case.pk:
            raise ValidationFailed(_("该步骤不属于本加急单。"), field="step")
        if step.finished_at:
            raise ValidationFailed(_("该步骤已经完成，不能再顺延。"), field="step")
        return step
    open_views = [v for v in case_projection(case, now=now).steps if not v.run.finished_at]
    open_views.sort(key=lambda v: (not v.critical, v.start, v.run.position))
    return open_views[0].run if open_views else None


def _add_delay(
    case, step, extra_us, now, **source
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Store the delay; returns the projected finish before and after."""
    before = case_projection(case, now=now).finish
    StepDelay.objects.create(case=case, step=step, extra_us=extra_us, created_at=now, **source)
    return before, case_projection(case, now=now).finish


# -- incidents -----------------------------------------------------------------------------------


@transaction.atomic
def incident_raise(
    *,
    actor,
    case: Case,
    kind: str,
    description: str,
    now: dt.datetime,
    impact_hours=None,
    step: StepRun | None = None,
) -> Incident:
    if not user_can(actor, Capability.RAISE_INCIDENT):
        raise NotAllowed(_("您的角色无权登记异常。"))
    if kind not in dict(INCIDENT_KIND_CHOICES):
        raise ValidationFailed(_("请选择异常类型。"), field="kind")
    description = clean_text(
        description, field="description", label=gettext_noop("情况说明"), max_length=1000
    )
    hours = _hours(impact_hours)
    case = _open_case(case)
    target = affected_step(case, step, now) if hours else step
    clock = response_clock(now, firm_calendar())
    incident = Incident.objects.create(
        case=case,
        kind=kind,
        description=description,
        step=target,
        impact_hours=hours,
        raised_at=now,
        raised_by=actor,
        response_due=clock.due,
        managers_at=clock.managers_at,
    )
    before = after = None
    if hours and target is not None:
        before, after = _add_delay(case, target, delay_us(float(hours)), now, incident=incident)
    tell_staff(
        key=f"incident:{incident.pk}:raised",
        users=case_liaisons(case),
        case=case,
        subject=Phrase(
            "monitoring.incident.subject", {"ref": case.reference, "kind": choice(incident, "kind")}
        ),
        body=[description, Phrase("monitoring.incident.respond", {"due": _fmt(clock.due)})],
        now=now,
        wecom=True,  # the liaison must answer within the hour, wherever they are
    )
    if before and after and after != before:

        def compose() -> tuple[str, str]:
            subject = _("【进度调整】%(ref)s 预计完成时间变更") % {"ref": case.reference}
            # The kind, not the staff's own description: that may name colleagues or be blunt.
            body = _(
                "因%(kind)s，“%(step)s”预计需增加 %(hours)s 个工作小时，"
                "预计完成时间由 %(before)s 调整为 %(after)s。我们正在处理，并将在日报中同步进展。"
            ) % {
                "kind": incident.get_kind_display(),
                "step": term(target.name),
                "hours": hours,
                "before": _fmt(before),
                "after": _fmt(after),
            }
            return subject, body

        tell_client(
            key=f"incident:{incident.pk}:finish-moved",
            case=case,
            compose=compose,
            now=now,
            sms=(SmsKind.RISK, risk_text_values(case, gettext_lazy("预计完成时间调整"), after)),
        )
    audit_record(
        kind=AuditKind.INCIDENT_RAISED,
        actor=actor,
        case=case,
        payload={
            "incident": incident.pk,
            "kind": kind,
            "description": description,
            "impact_hours": str(hours) if hours else None,
            "step": target.code if target else None,
            "response_due": clock.due.isoformat(),
            "finish_before": before.isoformat() if before else None,
            "finish_after": after.isoformat() if after else None,
        },
    )
    return incident


def incident_raise_system(*, description: str, now: dt.datetime) -> Incident:
    """A firm-wide incident from the nightly check of the record, on the caller's transaction.

    One open incident is enough: a check failing again the next night adds an audit event (the
    caller's), not a second incident, until someone resolves the first.
    """
    kind = IncidentKind.RECORD_INTEGRITY.value
    open_one = Incident.objects.filter(
        case__isnull=True, kind=kind, resolved_at__isnull=True
    ).first()
    if open_one is not None:
        return open_one
    clock = response_clock(now, firm_calendar())
    incident = Incident.objects.create(
        case=None,
        kind=kind,
        description=description[:1000],
        raised_at=now,
        response_due=clock.due,
        managers_at=clock.managers_at,
    )
    tell_staff(
        key=f"incident:{incident.pk}:raised",
        users=role_users(Role.SUPERVISOR, Role.MANAGER, Role.ADMIN),
        case=None,
        subject=Phrase("monitoring.incident.firm_subject", {"kind": choice(incident, "kind")}),
        body=[
            incident.description,
            Phrase("monitoring.incident.respond", {"due": _fmt(clock.due)}),
        ],
        now=now,
        email=True,
    )
    audit_record(
        kind=AuditKind.INCIDENT_RAISED,
        payload={
            "incident": incident.pk,
            "kind": kind,
            "description": incident.description,
            "response_due": clock.due.isoformat(),
        },
    )
    return incident


def _hours(raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("影响工时须是数字。"), field="impact_hours") from None
    if not Decimal("0") <= value <= Decimal("500"):
        raise ValidationFailed(_("影响工时应在 0 到 500 小时之间。"), field="impact_hours")
    return value or None


def _lock_incident(actor, incident: Incident) -> Incident:
    if not user_can(actor, Capability.HANDLE_INCIDENT):
        raise NotAllowed(_("您的角色无权处理异常。"))
    incident = (
        Incident.objects.select_for_update(of=("self",), no_key=True)
        .select_related("case")
        .get(pk=incident.pk)
    )
    if incident.case_id is None and not user_can(actor, Capability.HANDLE_RECORD_INCIDENT):
        raise NotAllowed(_("全所范围的异常由主管及以上或系统管理员处理。"))
    return incident


@transaction.atomic
def incident_acknowledge(
    *, actor, incident: Incident, cause: str, remedy: str, now: dt.datetime
) -> Incident:
    incident = _lock_incident(actor, incident)
    if incident.acknowledged_at or incident.resolved_at:
        raise ValidationFailed(_("该异常已经响应。"), field="incident")
    incident.cause = clean_text(cause, field="cause", label=gettext_noop("原因"), max_length=1000)
    incident.remedy = clean_text(
        remedy, field="remedy", label=gettext_noop("补救措施"), max_length=1000
    )
    incident.acknowledged_at = now
    incident.acknowledged_by = actor
    incident.save(update_fields=["cause", "remedy", "acknowledged_at", "acknowledged_by"])
    audit_record(
        kind=AuditKind.INCIDENT_ACKNOWLEDGED,
        actor=actor,
        case=incident.case,
        payload={
            "incident": incident.pk,
            "cause": incident.cause,
            "remedy": incident.remedy,
            "late": now > incident.response_due,
        },
    )
    return incident


@transaction.atomic
def incident_resolve(
    *, actor, incident: Incident, now: dt.datetime, resolution: str = ""
) -> Incident:
    incident = _lock_incident(actor, incident)
    if incident.resolved_at:
        raise ValidationFailed(_("该异常已经解决。"), field="incident")
    if not incident.acknowledged_at:
        raise ValidationFailed(_("请先填写原因与补救措施（响应），再标记解决。"), field="incident")
    incident.resolution = clean_text(
        resolution,
        field="resolution",
        label=gettext_noop("处理结果"),
        max_length=1000,
        required=False,
    )
    incident.resolved_at = now
    incident.resolved_by = actor
    incident.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    audit_record(
        kind=AuditKind.INCIDENT_RESOLVED,
        actor=actor,
        case=incident.case,
        payload={"incident": incident.pk, "resolution": incident.resolution},
    )
    return incident


# -- risk warnings -------------------------------------------------------------------------------


def risk_reason(kind: RiskKind, proj: CaseProjection) -> str:
    """The reason of an automatic warning, stated from the projection it is sent with, so a
    message never gives a slack or a finish other than the one beside it."""
    if kind == RiskKind.PROJECTED_LATE:
        return _("预计完成时间 %(finish)s 晚于要求截止时间 %(deadline)s。") % {
            "finish": _fmt(proj.finish),
            "deadline": _fmt(proj.deadline_end),
        }
    return _("距要求截止时间仅余 %(hours)s 个工作小时。") % {"hours": proj.slack_hours}


def warning_text(warning: RiskWarning, finish: dt.datetime | None) -> str:
    lines = [_("风险：%(reason)s") % {"reason": warning.reason}]
    if warning.extra_days:
        lines.append(_("预计增加 %(n)s 个工作日。") % {"n": warning.extra_days})
    if finish:
        lines.append(_("当前预计完成时间：%(at)s。") % {"at": _fmt(finish)})
    if warning.mitigation:
        lines.append(_("应对措施：%(m)s") % {"m": warning.mitigation})
    return "\n".join(lines)


def announce(warning: RiskWarning, *, now: dt.datetime, proj: CaseProjection | None = None) -> None:
    """Tell the liaison (in-app); the client too when the firm warns clients automatically.
    Called inside the transaction that created the warning; `proj`: the projection the
    warning was raised from, when the caller has it."""
    case = warning.case
    finish = (proj or case_projection(case, now=now)).finish
    tell_staff(
        key=f"warning:{warning.pk}:liaison",
        users=case_liaisons(case),
        case=case,
        subject=Phrase(
            "monitoring.warning.subject", {"ref": case.reference, "kind": choice(warning, "kind")}
        ),
        body=warning_lines(warning, _fmt(finish) if finish else None),
        now=now,
    )
    if settings.EXPEDITE_WARN_CLIENT_AUTOMATICALLY:
        _to_client(warning, finish=finish, now=now)


def _kind_in_chinese(warning: RiskWarning) -> str:
    with override("zh-hans"):
        return str(warning.get_kind_display())


def risk_text_values(case: Case, risk, finish: dt.datetime | None) -> dict:
    """A risk message's variables, in Chinese (the language of the filed templates)."""
    with override("zh-hans"):
        return {
            "service": case.service.display_name("zh-hans"),
            "ref": case.reference,
            "risk": str(risk),
            "date": finish.astimezone(firm_calendar().tz).date().isoformat() if finish else "待定",
        }


def _to_client(warning: RiskWarning, *, finish, now: dt.datetime) -> None:
    RiskWarning.objects.filter(pk=warning.pk).update(status="sent", decided_at=now)
    warning.status = "sent"
    tell_client(
        key=f"warning:{warning.pk}:client",
        case=warning.case,
        compose=lambda: (
            _("【风险提示】%(ref)s") % {"ref": warning.case.reference},
            warning_text(warning, finish),
        ),
        now=now,
        sms=(SmsKind.RISK, risk_text_values(warning.case, _kind_in_chinese(warning), finish)),
    )


@transaction.atomic
def risk_record_external(
    *,
    actor,
    case: Case,
    reason: str,
    mitigation: str,
    extra_days: int,
    now: dt.datetime,
    step: StepRun | None = None,
) -> RiskWarning:
    """A known outside risk (审批部门本周有培训, +1 day): the projection moves at once."""
    if not user_can(actor, Capability.RAISE_INCIDENT):
        raise NotAllowed(_("您的角色无权登记风险。"))
    reason = clean_text(reason, field="reason", label=gettext_noop("原因"), max_length=500)
    mitigation = clean_text(
        mitigation,
        field="mitigation",
        label=gettext_noop("应对措施"),
        max_length=500,
        required=False,
    )
    try:
        days = int(extra_days or 0)
    except (TypeError, ValueError):
        raise ValidationFailed(_("预计增加的工作日须是整数。"), field="extra_days") from None
    if not 0 <= days <= 60:
        raise ValidationFailed(_("预计增加的工作日应在 0 到 60 之间。"), field="extra_days")
    case = _open_case(case)
    target = affected_step(case, step, now) if days else None
    warning = RiskWarning.objects.create(
        case=case,
        kind=RiskKind.EXTERNAL.value,
        reason=reason,
        mitigation=mitigation,
        extra_days=days,
        raised_at=now,
        raised_by=actor,
    )
    if target is not None:
        _add_delay(case, target, days_us(days, firm_calendar()), now, warning=warning)
    audit_record(
        kind=AuditKind.RISK_WARNING_RAISED,
        actor=actor,
        case=case,
        payload={
            "warning": warning.pk,
            "kind": warning.kind,
            "reason": reason,
            "mitigation": mitigation,
            "extra_days": days,
            "step": target.code if target else None,
        },
    )
    announce(warning, now=now)
    return warning


def _lock_warning(actor, warning: RiskWarning) -> RiskWarning:
    if not user_can(actor, Capability.CLIENT_MESSAGE):
        raise NotAllowed(_("只有客户对接专员（或主管、经理）可以决定是否告知客户。"))
    warning = (
        RiskWarning.objects.select_for_update(no_key=True).select_related("case").get(pk=warning.pk)
    )
    if warning.status != "pending_approval":
        raise ValidationFailed(_("该预警已经处理。"), field="warning")
    if warning.cleared_at is not None:
        raise ValidationFailed(_("该风险已经解除，无需告知客户。"), field="warning")
    return warning


@transaction.atomic
def warning_approve(
    *, actor, warning: RiskWarning, now: dt.datetime, mitigation: str | None = None
) -> RiskWarning:
    """The liaison lets the warning go to the client (mitigation may be completed first)."""
    warning = _lock_warning(actor, warning)
    if mitigation:
        warning.mitigation = clean_text(
            mitigation, field="mitigation", label=gettext_noop("应对措施"), max_length=500
        )
    warning.decided_by = actor
    proj = case_projection(warning.case, now=now)
    if warning.kind != RiskKind.EXTERNAL.value:
        # Approved later than raised: the client hears of the projection as it is now, and
        # not at all if the condition has meanwhile ended (the watch withdraws it).
        kind = RiskKind(warning.kind)
        if kind not in risk_conditions(late=proj.late, at_risk=proj.at_risk):
            raise ValidationFailed(_("该风险已经解除，无需告知客户。"), field="warning")
        warning.reason = risk_reason(kind, proj)
    warning.save(update_fields=["mitigation", "decided_by", "reason"])
    _to_client(warning, finish=proj.finish, now=now)
    audit_record(
        kind=AuditKind.RISK_WARNING_SENT,
        actor=actor,
        case=warning.case,
        payload={"warning": warning.pk, "mitigation": warning.mitigation},
    )
    return warning


@transaction.atomic
def warning_dismiss(*, actor, warning: RiskWarning, now: dt.datetime) -> RiskWarning:
    warning = _lock_warning(actor, warning)
    warning.status = "dismissed"
    warning.decided_by = actor
    warning.decided_at = now
    warning.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        kind=AuditKind.RISK_WARNING_DISMISSED,
        actor=actor,
        case=warning.case,
        payload={"warning": warning.pk},
    )
    return warning
