"""Demo 日清 + 异常 from the seed's examples, so the case pages and the board show them.

- 建筑工程施工许可证: the department rejected the drawing-review certificate
  (施工图审查合格书信息有误); answered within the hour with cause and remedy, resolved that day.
- 劳务派遣许可证: the day's report, sent to the client.
- 外资股权变更: 审批部门本周有培训 (+1 working day), waiting for the liaison's approval.

Idempotent: each is created only when its case does not have it yet.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from expedite.cases.models import Case
from expedite.domain.calendar import SHANGHAI
from expedite.workdays.selectors import firm_calendar

from .incidents import incident_acknowledge, incident_raise, incident_resolve, risk_record_external
from .models import DailyReport, Incident, RiskWarning
from .reports import contents, report_send, schedule_for

DRAWING_REVIEW = "施工图审查合格书信息有误"
TRAINING = "审批部门本周有培训"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _case(liaison, service: str) -> Case | None:
    return (
        Case.objects.filter(created_by=liaison, service__code=service)
        .exclude(state__in=["closed", "cancelled", "declined"])
        .order_by("pk")
        .first()
    )


def _last_workday(now: dt.datetime) -> dt.date:
    """Today once its afternoon is over, else the working day before: the demo shows the past."""
    cal = firm_calendar()
    local = now.astimezone(cal.tz)
    if cal.is_workday(local.date()) and local.time() >= dt.time(17, 0):
        return local.date()
    return cal.previous_workday(local.date())


def monitoring_demo_load(*, now: dt.datetime) -> int:
    liaison, process = _user("zhangmin"), _user("liqiang")
    if not (liaison and process):
        return 0
    day = _last_workday(now)

    def at(hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)

    created = 0
    permit = _case(liaison, "construction-permit")
    if permit and not Incident.objects.filter(case=permit, description__contains=DRAWING_REVIEW):
        incident = incident_raise(
            actor=process,
            case=permit,
            kind="department_rejection",
            description=f"住建局窗口退回：{DRAWING_REVIEW}（项目名称与规划许可证不一致）。",
            now=at(10),
        )
        incident_acknowledge(
            actor=process,
            incident=incident,
            cause="审图机构出具合格书时沿用了立项时的旧项目名称。",
            remedy="联系审图机构按规划许可证更正合格书，下午重新递交窗口。",
            now=at(10, 40),
        )
        incident_resolve(
            actor=process,
            incident=incident,
            resolution="更正后的合格书已递交，窗口当天受理。",
            now=at(16),
        )
        created += 1
    dispatch = _case(liaison, "labor-dispatch-license")
    if dispatch and not DailyReport.objects.filter(case=dispatch).exists():
        content = contents([dispatch], day=day, now=at(16), cal=firm_calendar())[dispatch.pk]
        report = DailyReport.objects.create(
            case=dispatch,
            date=day,
            done_today=content.done_today,
            plan_tomorrow=content.plan_tomorrow,
            client_todo=content.client_todo,
            generated_at=at(16),
            send_at=schedule_for(dispatch, day, firm_calendar()).send_at,
        )
        report_send(actor=liaison, report=report, now=at(16, 50))
        created += 1
    equity = _case(liaison, "foreign-equity-change")
    if equity and not RiskWarning.objects.filter(case=equity, reason__contains=TRAINING).exists():
        risk_record_external(
            actor=process,
            case=equity,
            reason=f"{TRAINING}，窗口只开半天。",
            mitigation="提前一天预约窗口，材料先行网上预审。",
            extra_days=1,
            now=now,
        )
        created += 1
    return created
