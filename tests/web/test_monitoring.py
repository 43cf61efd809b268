"""日清 + 异常: daily reports, incidents and their escalation, risk warnings."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.monitoring.incidents import (
    incident_acknowledge,
    incident_raise,
    incident_resolve,
    risk_record_external,
    warning_approve,
    warning_dismiss,
)
from expedite.monitoring.models import CaseMonitoring, DailyReport, Incident, RiskWarning
from expedite.monitoring.reports import (
    monitoring_settings_save,
    report_edit,
    report_send,
    reports_draft,
    reports_tick,
)
from expedite.monitoring.watch import incidents_escalate, sla_watch, warnings_scan
from expedite.notify.models import OutboxMessage
from expedite.work.models import StepRun
from expedite.work.selectors import case_projection
from expedite.work.steps import step_finish, step_start, track_update
from expedite.workdays.selectors import firm_calendar
from tests.factories import case_along

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def running_case(world, *, days=60, client=None):
    """A 外资股权变更 case of 恒信 (whose contact has an e-mail address), accepted."""
    return case_along(
        world,
        client=client or world.hengxin,
        service="foreign-equity-change",
        days=days,
        reason="外方股东变更",
        facts={"negative_list_prohibited": False},
        states=("quoted", "accepted"),
    )


def workday(case) -> dt.date:
    """The first planned working day of the case (a working day by construction)."""
    first = StepRun.objects.filter(case=case).order_by("planned_start").first()
    return first.planned_start.astimezone(SHANGHAI).date()


def report_messages(case):
    return OutboxMessage.objects.filter(key__startswith=f"report:{case.pk}:")


# -- daily reports -------------------------------------------------------------------------------


def test_the_report_is_drafted_from_the_days_steps_and_sent_once_at_report_time(world):
    case = running_case(world)
    day = workday(case)
    steps = {s.code: s for s in StepRun.objects.filter(case=case)}
    step_start(actor=world.zhao, step=steps["prepare"], now=at(day, 9, 30))
    step_finish(actor=world.zhao, step=steps["prepare"], now=at(day, 15), note="核查完毕")
    step_start(actor=world.zhao, step=steps["tax"], now=at(day, 15, 10))
    track_update(
        actor=world.zhao,
        track=steps["tax"].track,
        status="active",
        note="已网上递交备案材料",
        now=at(day, 15, 20),
    )
    assert reports_tick(now=at(day, 15, 59)) == {"drafted": 0, "sent": 0}
    assert reports_tick(now=at(day, 16)) == {"drafted": 1, "sent": 0}
    report = DailyReport.objects.get(case=case, date=day)
    assert report.status == "draft"
    assert "✔ 本所：材料准备与政策核查（已完成）" in report.done_today
    assert "▶ 税务局：股权转让涉税申报（已开始办理）" in report.done_today
    # The team's track notes stay internal: the liaison writes for the client when editing.
    assert "已网上递交备案材料" not in report.done_today
    assert "股权转让涉税申报" in report.plan_tomorrow  # three working days: it goes on tomorrow
    assert "材料准备" not in report.plan_tomorrow
    assert not report_messages(case).exists()
    assert reports_tick(now=at(day, 16, 30)) == {"drafted": 0, "sent": 0}
    # Finished after the draft was written, before it went: an unedited report says so.
    step_finish(actor=world.zhao, step=steps["tax"], now=at(day, 16, 40))
    assert reports_tick(now=at(day, 17)) == {"drafted": 0, "sent": 1}
    report.refresh_from_db()
    assert report.status == "sent" and report.sent_at == at(day, 17)
    contact = world.hengxin.contacts.get()
    message = report_messages(case).get()
    assert message.key == f"report:{case.pk}:{day.isoformat()}:{contact.pk}:email"
    assert message.recipient == "wugang@hengxin.example"
    assert "今日完成" in message.body and "材料准备与政策核查" in message.body
    assert "股权转让涉税申报（已完成）" in message.body
    assert "已网上递交备案材料" not in message.body
    # A restarted worker, or the next minute: nothing twice.
    assert reports_tick(now=at(day, 17, 1)) == {"drafted": 0, "sent": 0}
    assert DailyReport.objects.filter(case=case).count() == 1
    assert report_messages(case).count() == 1
    assert AuditEvent.objects.filter(case=case, kind="report.sent").count() == 1


def test_the_liaison_edits_within_the_window_and_the_edited_text_goes(world):
    case = running_case(world)
    day = workday(case)
    reports_draft(now=at(day, 16))
    report = DailyReport.objects.get(case=case, date=day)
    with pytest.raises(NotAllowed):
        report_edit(
            actor=world.wang,
            report=report,
            done_today="x",
            plan_tomorrow="y",
            client_todo="z",
            now=at(day, 16, 10),
        )
    with pytest.raises(ValidationFailed):
        report_edit(
            actor=world.zhang,
            report=report,
            done_today=" ",
            plan_tomorrow="y",
            client_todo="z",
            now=at(day, 16, 10),
        )
    report_edit(
        actor=world.zhang,
        report=report,
        done_today="商务局已电话预沟通，材料无问题。",
        plan_tomorrow="明日上午递交商务局备案。",
        client_todo="请于明日 12:00 前确认外方股东决议原件已寄出。",
        now=at(day, 16, 20),
    )
    reports_tick(now=at(day, 17))
    body = report_messages(case).get().body
    assert "商务局已电话预沟通" in body and "外方股东决议原件" in body
    report.refresh_from_db()
    assert report.edited_by == world.zhang
    with pytest.raises(ValidationFailed, match="已发送"):
        report_edit(
            actor=world.zhang,
            report=report,
            done_today="x",
            plan_tomorrow="y",
            client_todo="z",
            now=at(day, 17, 5),
        )


def test_send_now_sends_early_and_only_once(world):
    case = running_case(world)
    day = workday(case)
    reports_draft(now=at(day, 16))
    report = DailyReport.objects.get(case=case)
    report_send(actor=world.zhang, report=report, now=at(day, 16, 5))
    with pytest.raises(ValidationFailed):
        report_send(actor=world.zhang, report=report, now=at(day, 16, 6))
    assert reports_tick(now=at(day, 17))["sent"] == 0
    assert report_messages(case).count() == 1


def test_no_report_on_a_holiday_unless_the_case_continues_through_holidays(world):
    case = running_case(world)
    national_day = dt.date(2026, 10, 1)
    assert reports_draft(now=at(national_day, 17, 30)) == 0
    monitoring_settings_save(
        actor=world.zhang, case=case, report_time=None, continue_on_holidays=True
    )
    assert reports_draft(now=at(national_day, 17, 30)) == 1
    assert DailyReport.objects.get(case=case).date == national_day


def test_a_case_can_report_earlier_than_the_firm(world, settings):
    settings.EXPEDITE_REPORT_TIME = dt.time(17, 0)
    early = running_case(world)
    running_case(world, client=world.acme)  # on the firm's time: not drafted at 15:00
    monitoring_settings_save(
        actor=world.zhang, case=early, report_time=dt.time(16), continue_on_holidays=False
    )
    assert CaseMonitoring.objects.get(case=early).report_time == dt.time(16)
    day = workday(early)
    reports_draft(now=at(day, 15))
    assert list(DailyReport.objects.values_list("case_id", flat=True)) == [early.pk]
    reports_tick(now=at(day, 16))
    assert DailyReport.objects.get(case=early).status == "sent"
    assert DailyReport.objects.filter(status="draft").count() == 1  # the other one, at 16:00


def test_the_database_holds_one_report_per_case_and_day(world):
    case = running_case(world)
    day = workday(case)
    assert reports_draft(now=at(day, 16)) == 1
    # A second worker that read the case list before the first one wrote writes nothing.
    assert reports_draft(now=at(day, 16), case_ids=[case.pk]) == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyReport.objects.create(
            case=case,
            date=day,
            done_today="x",
            plan_tomorrow="y",
            client_todo="z",
            generated_at=at(day, 16),
            send_at=at(day, 17),
        )
    assert DailyReport.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_two_workers_at_once_write_one_report_per_case_and_send_it_once(world):
    cases = [running_case(world) for _ in range(4)]
    day = workday(cases[0])
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            reports_tick(now=at(day, 17, 0, 30))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for case in cases:
        assert DailyReport.objects.filter(case=case, date=day, status="sent").count() == 1
        assert report_messages(case).count() == 1


# -- incidents -----------------------------------------------------------------------------------


def escalation_messages(incident, level):
    return OutboxMessage.objects.filter(key__startswith=f"incident:{incident.pk}:escalate:{level}:")


def test_an_incident_raised_at_1730_is_due_at_0930_and_escalates_once(world):
    world.zhao.email = "zhao@firm.example"
    world.zhao.save()
    case = running_case(world)
    raised = dt.datetime(2026, 11, 26, 17, 30, tzinfo=SHANGHAI)
    incident = incident_raise(
        actor=world.li,
        case=case,
        kind="system_outage",
        description="一网通办系统维护，无法提交",
        now=raised,
    )
    due = dt.datetime(2026, 11, 27, 9, 30, tzinfo=SHANGHAI)
    assert incident.response_due == due
    assert incident.managers_at == due + dt.timedelta(hours=1)
    assert incidents_escalate(now=due - dt.timedelta(seconds=1)) == 0
    assert sla_watch(now=due + dt.timedelta(seconds=59))["escalated"] == 1
    assert sla_watch(now=due + dt.timedelta(seconds=59))["escalated"] == 0
    assert incidents_escalate(now=due + dt.timedelta(minutes=30)) == 0
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    to_zhao = escalation_messages(incident, 1)
    assert {m.channel for m in to_zhao} == {"inapp", "email"}
    assert all(m.user == world.zhao for m in to_zhao)
    assert not escalation_messages(incident, 2).exists()
    assert incidents_escalate(now=incident.managers_at + dt.timedelta(seconds=59)) == 1
    assert incidents_escalate(now=incident.managers_at + dt.timedelta(minutes=5)) == 0
    assert escalation_messages(incident, 2).get().user == world.chen
    assert AuditEvent.objects.filter(case=case, kind="incident.escalated").count() == 2


def test_a_watch_that_was_down_calls_both_levels_in_turn(world):
    case = running_case(world)
    incident = incident_raise(
        actor=world.li,
        case=case,
        kind="staff_unavailable",
        description="专员病假",
        now=dt.datetime(2026, 11, 26, 10, tzinfo=SHANGHAI),
    )
    assert incidents_escalate(now=dt.datetime(2026, 11, 26, 16, tzinfo=SHANGHAI)) == 2
    incident.refresh_from_db()
    assert incident.escalation_level == 2


def test_an_acknowledged_incident_does_not_escalate_and_is_resolved(world):
    case = running_case(world)
    raised = dt.datetime(2026, 11, 26, 11, 30, tzinfo=SHANGHAI)
    incident = incident_raise(
        actor=world.li,
        case=case,
        kind="department_rejection",
        description="消防验收报告格式不对",
        now=raised,
    )
    assert incident.response_due == dt.datetime(2026, 11, 26, 14, tzinfo=SHANGHAI)  # lunch
    with pytest.raises(ValidationFailed, match="请先填写原因"):
        incident_resolve(actor=world.li, incident=incident, now=raised)
    with pytest.raises(NotAllowed):
        incident_acknowledge(actor=world.wang, incident=incident, cause="x", remedy="y", now=raised)
    incident_acknowledge(
        actor=world.li,
        incident=incident,
        cause="报告用了旧版模板",
        remedy="按新版模板重出报告，下午重新递交",
        now=raised + dt.timedelta(minutes=40),
    )
    assert incidents_escalate(now=dt.datetime(2026, 11, 27, 12, tzinfo=SHANGHAI)) == 0
    incident_resolve(
        actor=world.li,
        incident=incident,
        now=raised + dt.timedelta(hours=4),
        resolution="已重新递交并受理",
    )
    incident.refresh_from_db()
    assert incident.resolved_at and incident.escalation_level == 0
    kinds = AuditEvent.objects.filter(case=case, kind__startswith="incident.")
    assert sorted(kinds.values_list("kind", flat=True)) == [
        "incident.acknowledged",
        "incident.raised",
        "incident.resolved",
    ]


def test_bad_input_raises_nothing(world):
    case = running_case(world)
    now = timezone.now()
    with pytest.raises(ValidationFailed):
        incident_raise(actor=world.li, case=case, kind="meteor", description="x", now=now)
    with pytest.raises(ValidationFailed):
        incident_raise(
            actor=world.li,
            case=case,
            kind="client_delay",
            description="x",
            impact_hours="abc",
            now=now,
        )
    with pytest.raises(NotAllowed):
        incident_raise(
            actor=world.outsider, case=case, kind="client_delay", description="x", now=now
        )
    assert not Incident.objects.exists()


def test_the_impact_moves_the_projection_and_the_client_is_told_once(world):
    case = running_case(world)
    now = timezone.now()
    before = case_projection(case, now=now)
    commerce = StepRun.objects.get(case=case, code="tax")
    incident = incident_raise(
        actor=world.li,
        case=case,
        kind="department_rejection",
        description="商务局要求补正外方主体资格公证",
        impact_hours="7.5",
        step=commerce,
        now=now,
    )
    after = case_projection(case, now=now)
    cal = firm_calendar()
    assert cal.work_clock(after.finish) - cal.work_clock(before.finish) == cal.hours.day_us
    told = OutboxMessage.objects.filter(key__startswith=f"incident:{incident.pk}:finish-moved:")
    message = told.get()
    assert message.channel == "email" and message.recipient == "wugang@hengxin.example"
    assert "部门退件" in message.body and "7.5" in message.body
    assert "商务局要求补正外方主体资格公证" not in message.body  # staff words stay inside
    # The liaison hears of it in-app.
    assert OutboxMessage.objects.filter(
        key=f"incident:{incident.pk}:raised:{world.zhang.pk}:inapp"
    ).exists()
    # An incident without impact moves nothing and tells the client nothing.
    quiet = incident_raise(
        actor=world.li, case=case, kind="system_outage", description="网络中断", now=now
    )
    assert not OutboxMessage.objects.filter(key__startswith=f"incident:{quiet.pk}:finish").exists()


# -- risk warnings -------------------------------------------------------------------------------


def squeeze(case, days=1):
    """The deadline moved up after acceptance: the plan cannot meet it any more."""
    case.requested_deadline = timezone.localdate() + dt.timedelta(days=days)
    case.save()
    return case


def test_a_late_projection_warns_the_liaison_once_per_condition(world):
    case = squeeze(running_case(world))
    now = timezone.now()
    assert warnings_scan(now=now) == 1
    assert warnings_scan(now=now + dt.timedelta(minutes=1)) == 0
    warning = RiskWarning.objects.get(case=case)
    assert warning.kind == "projected_late" and warning.status == "pending_approval"
    assert "晚于要求截止时间" in warning.reason
    assert OutboxMessage.objects.filter(
        key=f"warning:{warning.pk}:liaison:{world.zhang.pk}:inapp"
    ).exists()
    assert not OutboxMessage.objects.filter(key__startswith=f"warning:{warning.pk}:client").exists()
    # Approved: the client hears it, once.
    warning_approve(actor=world.zhang, warning=warning, now=now)
    with pytest.raises(ValidationFailed):
        warning_approve(actor=world.zhang, warning=warning, now=now)
    client = OutboxMessage.objects.filter(key__startswith=f"warning:{warning.pk}:client")
    assert client.get().recipient == "wugang@hengxin.example"
    assert warnings_scan(now=now + dt.timedelta(minutes=2)) == 0


def test_a_warning_closes_when_its_condition_ends_and_reopens_when_it_returns(world):
    case = squeeze(running_case(world))
    now = timezone.now()
    warnings_scan(now=now)
    squeeze(case, days=90)
    assert warnings_scan(now=now) == 0
    assert RiskWarning.objects.get(case=case).cleared_at == now
    squeeze(case)
    assert warnings_scan(now=now) == 1
    assert RiskWarning.objects.filter(case=case).count() == 2


def test_an_external_risk_adds_a_day_and_waits_for_the_liaisons_approval(world):
    case = running_case(world)
    now = timezone.now()
    before = case_projection(case, now=now)
    warning = risk_record_external(
        actor=world.li,
        case=case,
        reason="审批部门本周有培训",
        mitigation="提前一天递交，预约窗口",
        extra_days=1,
        now=now,
    )
    cal = firm_calendar()
    after = case_projection(case, now=now)
    assert cal.work_clock(after.finish) - cal.work_clock(before.finish) == cal.hours.day_us
    assert warning.status == "pending_approval"
    assert not OutboxMessage.objects.filter(key__startswith=f"warning:{warning.pk}:client").exists()
    with pytest.raises(NotAllowed):
        warning_dismiss(actor=world.li, warning=warning, now=now)
    warning_dismiss(actor=world.zhang, warning=warning, now=now)
    warning.refresh_from_db()
    assert warning.status == "dismissed"
    assert not OutboxMessage.objects.filter(key__startswith=f"warning:{warning.pk}:client").exists()


def test_the_client_is_warned_automatically_when_the_firm_says_so(world, settings):
    settings.EXPEDITE_WARN_CLIENT_AUTOMATICALLY = True
    case = running_case(world)
    warning = risk_record_external(
        actor=world.li,
        case=case,
        reason="审批部门本周有培训",
        mitigation="",
        extra_days=1,
        now=timezone.now(),
    )
    warning.refresh_from_db()
    assert warning.status == "sent"
    body = OutboxMessage.objects.get(key__startswith=f"warning:{warning.pk}:client").body
    assert "审批部门本周有培训" in body and "1 个工作日" in body


# -- pages ---------------------------------------------------------------------------------------


def test_the_case_page_edits_and_sends_the_report_and_handles_an_incident(client, world, clock):
    from django.urls import reverse

    from expedite.monitoring.portal import portal_context
    from tests.conftest import PASSWORD, to_working_time

    to_working_time(clock)  # a report is drafted on a working day
    case = running_case(world)
    client.login(username="zhang", password=PASSWORD)
    page = reverse("case_detail", args=[case.pk])
    assert "今日日报" in client.get(page).content.decode()
    client.post(reverse("report_draft", args=[case.pk]))
    report = DailyReport.objects.get(case=case)
    client.post(
        reverse("report_edit", args=[report.pk]),
        {"done_today": "已与商务局预沟通", "plan_tomorrow": "递交备案", "client_todo": "无"},
    )
    assert "已与商务局预沟通" in client.get(page).content.decode()
    client.post(reverse("report_send", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "sent" and report_messages(case).count() == 1
    assert portal_context(None, case)["monitoring_reports"] == [report]
    client.post(
        reverse("incident_raise", args=[case.pk]),
        {"kind": "department_rejection", "description": "消防验收报告格式不对"},
    )
    incident = Incident.objects.get(case=case)
    html = client.get(reverse("board")).content.decode()
    assert "未解决的异常" in html and "消防验收报告格式不对" in html
    client.post(
        reverse("incident_action", args=[incident.pk, "ack"]),
        {"cause": "旧模板", "remedy": "按新模板重出"},
    )
    client.post(reverse("incident_action", args=[incident.pk, "resolve"]), {"resolution": "已受理"})
    incident.refresh_from_db()
    assert incident.cause == "旧模板" and incident.resolved_at is not None
    client.post(
        reverse("risk_record", args=[case.pk]),
        {"reason": "审批部门本周有培训", "mitigation": "提前递交", "extra_days": "1"},
    )
    html = client.get(reverse("board")).content.decode()
    assert "待确认的风险预警" in html and "审批部门本周有培训" in html


def test_an_outsider_cannot_reach_the_actions(client, world):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    case = running_case(world)
    client.login(username="outsider", password=PASSWORD)
    response = client.post(
        reverse("incident_raise", args=[case.pk]), {"kind": "system_outage", "description": "x"}
    )
    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_the_demo_shows_the_seed_examples_once(catalog):
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())
    demo_load(now=timezone.now())
    incident = Incident.objects.get(description__contains="施工图审查合格书信息有误")
    assert incident.case.service.code == "construction-permit"
    assert incident.cause and incident.remedy and incident.resolved_at
    assert incident.resolved_at.date() == incident.raised_at.date()
    report = DailyReport.objects.get()
    assert report.case.service.code == "labor-dispatch-license" and report.status == "sent"
    warning = RiskWarning.objects.get(kind="external")
    assert "审批部门本周有培训" in warning.reason and warning.extra_days == 1
    assert warning.status == "pending_approval"


def test_an_escalation_also_goes_to_the_teams_wecom_group_once(world, settings):
    settings.EXPEDITE_WECOM_WEBHOOK_URL = "http://127.0.0.1:9/robot"
    case = running_case(world)
    raised = dt.datetime(2026, 11, 26, 17, 30, tzinfo=SHANGHAI)
    incident = incident_raise(
        actor=world.li, case=case, kind="system_outage", description="系统维护", now=raised
    )
    due = incident.response_due
    sla_watch(now=due + dt.timedelta(seconds=59))
    sla_watch(now=due + dt.timedelta(seconds=59))
    # The escalation's message to the group (hand-offs of the case go there too).
    group = OutboxMessage.objects.filter(case=case, channel="wecom", key__startswith="incident:")
    assert group.count() == 1 and "系统维护" in group.get().body
