"""Satisfaction, follow-ups, the closing guard, and the handbook's catalog changes."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case, CatalogVersion
from expedite.cases.plans import current_catalog, definition_for
from expedite.cases.words import say_value
from expedite.domain.durations import Duration
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.learning import CatalogChange, ChangeKind
from expedite.domain.roles import Role
from expedite.learning.models import CatalogRevision, Feedback, FollowUp
from expedite.learning.services import (
    feedback_submit,
    follow_up_resolve,
    handbook_entry_add,
    proposal_decide,
    retrospective_save,
)
from expedite.monitoring.incidents import incident_raise
from expedite.monitoring.models import CaseMonitoring
from expedite.notify.models import OutboxMessage
from tests.web.learning_helpers import case_at

pytestmark = pytest.mark.django_db

GOOD = {"timeliness": 5, "communication": 4, "result": 5}
LOW = {"timeliness": 2, "communication": 4, "result": 5}


@pytest.fixture
def admin(make_user):
    return make_user("ops", Role.ADMIN)


def submit(case, scores=GOOD, comment=""):
    return feedback_submit(
        case=case, contact="周婷", scores=scores, comment=comment, now=timezone.now()
    )


def test_the_survey_is_taken_once_and_audited(world):
    case = case_at(world)
    feedback = submit(case, comment="很及时")
    assert (feedback.average, feedback.is_low) == (4.67, False)
    with pytest.raises(ValidationFailed, match="您已评价过本单"):
        submit(case, scores=LOW)
    assert Feedback.objects.get(case=case).timeliness == 5
    event = AuditEvent.objects.get(case=case, kind="feedback.submitted")
    assert (event.actor_kind, event.actor, event.payload["low"]) == ("client", "周婷", False)
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "scores",
    [
        {"timeliness": 0, "communication": 4, "result": 5},
        {"timeliness": 6, "communication": 4, "result": 5},
        {"timeliness": "x", "communication": 4, "result": 5},
        {"communication": 4, "result": 5},
    ],
)
def test_scores_outside_one_to_five_are_refused_and_nothing_is_stored(world, scores):
    case = case_at(world)
    with pytest.raises(ValidationFailed, match="请选择 1 到 5 分") as info:
        submit(case, scores=scores)
    assert info.value.field == "timeliness"
    assert not Feedback.objects.exists()
    assert not AuditEvent.objects.filter(kind="feedback.submitted").exists()


def test_the_survey_waits_for_the_confirmation(world):
    case = case_at(world, "delivered")
    with pytest.raises(ValidationFailed, match="确认交付后才能评价"):
        submit(case)


def test_a_low_score_opens_a_follow_up_for_the_managers_with_the_suggested_report_time(world):
    world.chen.email = "chen@firm.example"
    world.chen.save()
    case = case_at(world)
    running = case_at(world, "in_progress")  # the same client's case still being worked on
    feedback = submit(case, scores=LOW, comment="日报每天 17 点才到太晚，能否改到下午4点？")
    follow_up = FollowUp.objects.get(feedback=feedback)
    assert follow_up.is_open and follow_up.suggestion == {"report_time": "16:00"}
    to_managers = OutboxMessage.objects.filter(key__startswith=f"learning:follow-up:{follow_up.pk}")
    assert sorted((m.channel, m.user.username) for m in to_managers) == [
        ("email", "chen"),
        ("inapp", "chen"),
        ("inapp", "liu"),
    ]
    assert "客户评分偏低" in to_managers.first().subject

    with pytest.raises(NotAllowed):
        follow_up_resolve(actor=world.zhang, follow_up=follow_up, note="已致电", now=timezone.now())
    with pytest.raises(ValidationFailed, match="请填写正确的时间"):
        follow_up_resolve(
            actor=world.chen, follow_up=follow_up, note="x", report_time="4pm", now=timezone.now()
        )
    assert FollowUp.objects.get(pk=follow_up.pk).is_open
    done = follow_up_resolve(
        actor=world.chen,
        follow_up=follow_up,
        note="已致电周女士致歉，日报改为 16:00 发送。",
        report_time="16:00",
        now=timezone.now(),
    )
    assert not done.is_open and done.applied["cases"] == [running.reference]
    assert CaseMonitoring.objects.get(case=running).report_time == dt.time(16, 0)
    assert AuditEvent.objects.filter(case=running, kind="report.settings_changed").count() == 1
    assert AuditEvent.objects.get(kind="feedback.follow_up_resolved").payload["applied"] == {
        "report_time": "16:00",
        "cases": [running.reference],
    }
    with pytest.raises(ValidationFailed, match="已处理"):
        follow_up_resolve(actor=world.chen, follow_up=follow_up, note="y", now=timezone.now())


def close(world, case):
    return case_transition(actor=world.zhang, case=case, to="closed", now=timezone.now())


def retro(world, case):
    return retrospective_save(
        actor=world.zhang,
        case=case,
        went_well="容缺受理，省了 2 天",
        to_improve="材料预审要更严格",
        actions=["材料预审增加股东签字核对", ""],
        now=timezone.now(),
    )


def test_a_low_score_case_is_not_closed_before_its_retrospective(world):
    case = case_at(world)
    submit(case, scores=LOW)
    with pytest.raises(ValidationFailed, match="客户评分偏低，须先在加急单页面的“复盘”处完成复盘"):
        close(world, case)
    assert Case.objects.get(pk=case.pk).state == "confirmed"
    row = retro(world, case)
    assert row.actions == ["材料预审增加股东签字核对"] and row.reasons == ["low_score"]
    assert close(world, case).state == "closed"


def test_a_late_case_with_an_incident_needs_a_retrospective_too(world):
    case = case_at(world, "in_progress")
    incident_raise(
        actor=world.li,
        case=case,
        kind="system_outage",
        description="网报系统宕机",
        now=timezone.now(),
    )
    case = case_at_confirmed(world, case)
    Case.objects.filter(pk=case.pk).update(requested_deadline=dt.date(2020, 1, 6))
    case.refresh_from_db()
    with pytest.raises(ValidationFailed, match="本单超过客户要求的截止日期交付、发生过异常"):
        close(world, case)


def case_at_confirmed(world, case):
    from tests.web.learning_helpers import advance

    for to in ("review", "delivered", "confirmed"):
        case = advance(world, case, to)
    return case


def test_a_smooth_case_closes_without_a_retrospective(world):
    case = case_at(world)
    submit(case)
    assert close(world, case).state == "closed"


def test_the_retrospective_is_refused_before_delivery_and_to_the_outsider(world):
    with pytest.raises(ValidationFailed, match="交付后才能复盘"):
        retro(world, case_at(world, "in_progress"))
    with pytest.raises(NotAllowed):
        retrospective_save(
            actor=world.outsider,
            case=case_at(world),
            went_well="a",
            to_improve="b",
            actions=[],
            now=timezone.now(),
        )


def duration_change(hours=4):
    return CatalogChange(
        kind=ChangeKind.DURATION,
        service="business-change",
        step="first-review",
        duration=(("hours", hours),),
    )


def proposal(world, change=None):
    return handbook_entry_add(
        actor=world.li,
        service_code="business-change",
        step_code="first-review",
        title="初审可在半天内完成",
        change=change or duration_change(),
        now=timezone.now(),
    )


def test_an_accepted_duration_reaches_new_plans_and_leaves_old_ones_as_promised(world, admin):
    old = case_at(world, "triaged")
    assert definition_for(old).step("first-review").duration == Duration(workdays=2)
    entry = proposal(world)
    with pytest.raises(NotAllowed):
        proposal_decide(actor=world.chen, entry=entry, accept=True, reason="好", now=timezone.now())
    with pytest.raises(ValidationFailed, match="请填写理由"):
        proposal_decide(actor=admin, entry=entry, accept=True, reason="", now=timezone.now())
    assert current_catalog().get("business-change").step("first-review").duration.workdays == 2

    proposal_decide(
        actor=admin, entry=entry, accept=True, reason="近 5 单均半天内完成", now=timezone.now()
    )
    revision = CatalogRevision.objects.get()
    assert revision.number == 1 and revision.accepted_by == admin
    # Stored as phrases and catalog terms, said in the reader's language (Chinese here).
    assert [[say_value(c) for c in line] for line in revision.diff] == [
        ["工商变更 · 初审 · 时长", "2 个工作日", "4 小时"]
    ]
    assert revision.version == CatalogVersion.objects.order_by("-pk").first()
    event = AuditEvent.objects.get(kind="catalog.change_accepted")
    assert event.payload["revision"] == 1 and event.payload["version"] == revision.version_id

    new = case_at(world, "triaged")
    assert definition_for(new).step("first-review").duration == Duration(hours=4)
    assert definition_for(Case.objects.get(pk=old.pk)).step("first-review").duration == Duration(
        workdays=2
    )
    # The plans themselves: the new case's standard plan is shorter by 2 days less 4 hours.
    from expedite.cases.plans import case_options, facts_from
    from expedite.workdays.selectors import firm_calendar

    def span(case):
        return case_options(case, facts=facts_from(), now=clock.now()).standard.plan.span_us

    day_us = firm_calendar().hours.day_us
    hour_us = 3_600_000_000
    assert span(Case.objects.get(pk=old.pk)) - span(new) == 2 * day_us - 4 * hour_us

    # Loading the YAML again (every start does) keeps the accepted change.
    call_command("catalog", "load")
    assert current_catalog().get("business-change").step("first-review").duration.hours == 4
    with pytest.raises(ValidationFailed, match="已审定"):
        proposal_decide(actor=admin, entry=entry, accept=False, reason="x", now=timezone.now())


def test_a_rejected_proposal_changes_nothing_and_says_why(world, admin):
    before = CatalogVersion.objects.count()
    entry = proposal(world)
    entry = proposal_decide(
        actor=admin, entry=entry, accept=False, reason="样本太少", now=timezone.now()
    )
    assert (entry.status, entry.decision_reason) == ("rejected", "样本太少")
    assert CatalogVersion.objects.count() == before and not CatalogRevision.objects.exists()
    assert AuditEvent.objects.get(kind="catalog.change_rejected").payload["reason"] == "样本太少"


def test_a_proposal_the_catalog_cannot_take_is_refused_when_made(world):
    lever = CatalogChange(
        kind=ChangeKind.LEVER,
        service="business-change",
        step="submit",
        lever=(
            ("code", "esign"),
            ("name", "电子签"),
            ("kind", "compress"),
            ("reason", "快"),
            ("to", {"workdays": 3}),
        ),
    )
    with pytest.raises(ValidationFailed, match="修改后的服务目录无效"):
        proposal(world, change=lever)
    with pytest.raises(ValidationFailed, match="没有步骤"):
        proposal(
            world,
            change=CatalogChange(
                kind=ChangeKind.DURATION,
                service="business-change",
                step="nope",
                duration=(("hours", 2),),
            ),
        )


def test_a_checklist_item_and_a_lever_are_accepted_in_order(world, admin):
    item = CatalogChange(
        kind=ChangeKind.CHECKLIST, service="business-change", item="股东签字逐一核对"
    )
    lever = CatalogChange(
        kind=ChangeKind.LEVER,
        service="business-change",
        step="submit",
        lever=(
            ("code", "prefill"),
            ("name", "预填申报"),
            ("kind", "compress"),
            ("reason", "预填"),
            ("to", {"hours": 3}),
        ),
    )
    for change in (item, lever):
        entry = proposal(world, change=change)
        proposal_decide(actor=admin, entry=entry, accept=True, reason="好", now=timezone.now())
    service = current_catalog().get("business-change")
    assert service.checklist[-1] == "股东签字逐一核对"
    assert service.lever("prefill").to == Duration(hours=3)
    assert list(CatalogRevision.objects.values_list("number", flat=True)) == [1, 2]


def test_the_demo_shows_every_part_alive(catalog):
    from expedite.kpi.demo import HISTORY_CASES
    from expedite.learning.models import HandbookEntry, Retrospective
    from expedite.learning.selectors import planned_vs_actual
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())
    # The KPI history's surveys aside (kpi/demo.py).
    live = Case.objects.exclude(HISTORY_CASES)
    assert Feedback.objects.filter(case__in=live).count() == 4
    assert sorted(live.filter(feedback__isnull=False).values_list("state", flat=True)) == [
        "closed",
        "closed",
        "confirmed",
        "confirmed",
    ]
    follow_up = FollowUp.objects.get()
    assert follow_up.is_open and follow_up.suggestion == {"report_time": "16:00"}
    retro = Retrospective.objects.get()
    assert "容缺受理" in retro.went_well and "材料预审要更严格" in retro.to_improve
    assert list(HandbookEntry.objects.order_by("pk").values_list("status", flat=True)) == [
        "accepted",
        "pending",
    ]
    assert CatalogRevision.objects.get().number == 1
    assert current_catalog().get("business-change").step("first-review").duration.hours == 4
    figures = {f.code: f for f in planned_vs_actual("business-change")}
    assert figures["first-review"].runs == 4 and figures["first-review"].actual_hours == 3.8
    assert figures["first-review"].planned_hours == 15.0  # the plans were made with 2 days
    # The low-score case waits for its 复盘 before it may close.
    low = follow_up.feedback.case
    with pytest.raises(ValidationFailed, match="客户评分偏低"):
        close_as(low)


def close_as(case):
    from django.contrib.auth.models import User

    return case_transition(
        actor=User.objects.get(username="zhangmin"), case=case, to="closed", now=timezone.now()
    )


def test_a_retention_purge_keeps_the_handbook_and_the_catalog_revision(world, admin, clock):
    from expedite.cases.services import case_create
    from expedite.learning.models import HandbookEntry, Retrospective
    from expedite.learning.services import handbook_entry_add
    from expedite.records.retention import retention_purge

    long_ago = dt.datetime(2020, 1, 6, 10, tzinfo=dt.UTC)
    back = timezone.now()
    clock.move_to(long_ago)
    old = case_create(
        actor=world.zhang,
        client_id=world.acme.pk,
        service_code="business-change",
        requested_deadline=long_ago.date(),
        reason="旧案",
        now=long_ago,
    )
    Case.objects.filter(pk=old.pk).update(state="closed", updated_at=long_ago)
    Feedback.objects.create(case=old, timeliness=5, communication=5, result=5, created_at=long_ago)
    retro = Retrospective.objects.create(
        case=old,
        went_well="a",
        to_improve="b",
        actions=["初审半天"],
        written_by=world.zhang,
        updated_at=long_ago,
    )
    entry = handbook_entry_add(
        actor=world.li,
        service_code="business-change",
        step_code="first-review",
        title="初审半天",
        retrospective=retro,
        action_index=0,
        change=duration_change(),
        now=long_ago,
    )
    proposal_decide(actor=admin, entry=entry, accept=True, reason="好", now=long_ago)
    clock.move_to(back)
    assert retention_purge(before=dt.date(2021, 1, 1), today=timezone.localdate())["removed"] == 1
    assert not Case.objects.filter(pk=old.pk).exists() and not Feedback.objects.exists()
    entry = HandbookEntry.objects.get()
    assert entry.retrospective is None and entry.status == "accepted"
    assert CatalogRevision.objects.get().entry == entry
