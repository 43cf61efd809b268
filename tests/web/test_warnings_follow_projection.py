"""Warnings and late marks follow the one projection (work.selectors.case_projection): they are
restated or withdrawn when it moves, end with the case, and a drift of minutes is not late."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.cases.lifecycle import case_transition
from expedite.domain.errors import ValidationFailed
from expedite.monitoring.incidents import risk_record_external, warning_approve
from expedite.monitoring.models import RiskWarning
from expedite.monitoring.watch import warnings_scan
from expedite.notify.models import OutboxMessage
from expedite.portal.links import portal_path
from expedite.work.load import case_waits
from expedite.work.selectors import case_projection
from expedite.work.team import profile_save, team_assign
from tests.factories import case_along
from tests.web.delivery_helpers import add_result, case_in_review, client_confirms, pass_review
from tests.web.test_work import accept, open_case

pytestmark = pytest.mark.django_db


def running_case(world, *, days=60):
    """A 外资股权变更 case of 恒信 (whose contact has an e-mail address), accepted."""
    return case_along(
        world,
        client=world.hengxin,
        service="foreign-equity-change",
        days=days,
        reason="外方股东变更",
        facts={"negative_list_prohibited": False},
        states=("quoted", "accepted"),
    )


def client_mail(warning):
    return OutboxMessage.objects.get(key__startswith=f"warning:{warning.pk}:client")


def test_a_low_slack_warning_is_restated_and_sent_with_the_slack_of_the_current_projection(
    world, settings
):
    settings.EXPEDITE_AT_RISK_SLACK_HOURS = 10_000  # every running case is short of slack
    case = running_case(world)
    now = timezone.now()
    assert warnings_scan(now=now) == 1
    warning = RiskWarning.objects.get(case=case)
    first = case_projection(case, now=now)
    assert warning.kind == "low_slack" and f"仅余 {first.slack_hours} 个" in warning.reason
    # The deadline comes five days nearer: still short of slack, but less of it.
    case.requested_deadline -= dt.timedelta(days=5)
    case.save()
    later = now + dt.timedelta(minutes=1)
    now_proj = case_projection(case, now=later)
    assert not now_proj.late and now_proj.slack_hours < first.slack_hours
    assert warnings_scan(now=later) == 0
    warning.refresh_from_db()
    assert f"仅余 {now_proj.slack_hours} 个" in warning.reason
    # Approved another minute on: the e-mail states the projection it goes with.
    sent_at = later + dt.timedelta(minutes=1)
    sent = case_projection(case, now=sent_at)
    warning_approve(actor=world.zhang, warning=warning, now=sent_at)
    body = client_mail(warning).body
    assert f"仅余 {sent.slack_hours} 个工作小时" in body
    assert f"仅余 {first.slack_hours} 个" not in body


def test_a_warning_whose_condition_ended_is_not_sent_to_the_client(world, settings):
    settings.EXPEDITE_AT_RISK_SLACK_HOURS = 10_000
    case = running_case(world)
    now = timezone.now()
    warnings_scan(now=now)
    warning = RiskWarning.objects.get(case=case)
    settings.EXPEDITE_AT_RISK_SLACK_HOURS = 7.5  # sixty days out: plenty of slack after all
    with pytest.raises(ValidationFailed):
        warning_approve(actor=world.zhang, warning=warning, now=now)
    assert not OutboxMessage.objects.filter(key__startswith=f"warning:{warning.pk}:client").exists()


def test_the_clients_page_drops_the_warning_once_the_result_is_confirmed(client, world):
    case = case_in_review(world)
    now = timezone.now()
    warning = risk_record_external(
        actor=world.li, case=case, reason="审批部门本周有培训", mitigation="", extra_days=0, now=now
    )
    warning_approve(actor=world.zhang, warning=warning, now=now)
    assert "审批部门本周有培训" in client.get(portal_path(case)).content.decode()
    add_result(world, case)
    pass_review(world, case)
    case = case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())
    client_confirms(case)
    warning.refresh_from_db()
    assert warning.cleared_at is not None
    page = client.get(portal_path(case)).content.decode()
    assert "风险提示" not in page and "审批部门本周有培训" not in page


def test_the_board_forgets_the_warnings_of_a_cancelled_case(client, world):
    case = running_case(world)
    case.requested_deadline = timezone.localdate() + dt.timedelta(days=1)
    case.save()
    assert warnings_scan(now=timezone.now()) == 1
    client.force_login(world.zhang)
    board = client.get(reverse("board")).content.decode()
    assert f"{case.reference}</a> {case.client.name} · 预计逾期：" in board
    case_transition(
        actor=world.zhang, case=case, to="cancelled", now=timezone.now(), reason="客户撤回"
    )
    assert not RiskWarning.objects.filter(case=case, cleared_at__isnull=True).exists()
    board = client.get(reverse("board")).content.decode()
    assert "预计逾期：" not in board and case.reference not in board


def test_the_queue_leaves_out_a_delivered_case(client, world):
    from tests.web.delivery_helpers import delivered_case

    case = delivered_case(world)
    client.force_login(world.zhang)
    assert case.reference not in client.get(reverse("triage_queue")).content.decode()


def test_a_wait_says_how_far_it_runs_past_the_slack_of_the_same_projection(client, world):
    # li alone does the process work of two cases due at once: one waits behind the other.
    profile_save(
        actor=world.chen,
        user=world.li,
        skills=["外资", "工商"],
        capacity_hours=2,
        expedite_team=True,
    )
    cases = []
    for _ in range(2):
        case = accept(world, open_case(world, reason="银行贷款需要营业执照", days=40))
        team_assign(
            actor=world.chen,
            case=case,
            choices={"liaison": world.zhang.pk, "process": world.li.pk, "risk": world.wang.pk},
        )
        cases.append(case)
    rows = [r for c in cases for r in case_waits(c, now=timezone.now())]
    assert rows, "the specialist should be overbooked"
    for row in rows:
        proj = case_projection(row.case, now=timezone.now())
        beyond = max(round(row.workdays - proj.slack_us / proj.day_us, 1), 0.0)
        assert row.beyond_slack == pytest.approx(beyond, abs=0.11)
    client.force_login(world.chen)
    waiting = rows[0]
    part = client.get(reverse("case_waits", args=[waiting.case.pk])).content.decode()
    if waiting.beyond_slack:
        assert f"超出余量 {waiting.beyond_slack} 个工作日" in part
    else:
        assert "在余量之内" in part


@pytest.mark.clock("2026-11-26T10:00:00+08:00")
def test_a_few_minutes_after_acceptance_no_step_is_late(client, world, clock):
    case = running_case(world)
    client.force_login(world.zhang)
    clock_now = timezone.now()
    clock.shift(dt.timedelta(minutes=3))
    with_drift = case_projection(case, now=clock_now + dt.timedelta(minutes=3))
    assert all(v.slipped_us > 0 for v in with_drift.steps if v.state == "waiting")
    assert not any(v.slipped for v in with_drift.steps)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "晚于计划" not in page
    # Two working hours on, with nothing started, the steps are late.
    hours_on = case_projection(case, now=clock_now + dt.timedelta(hours=2))
    assert any(v.slipped for v in hours_on.steps)
