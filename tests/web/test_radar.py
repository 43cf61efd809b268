"""The radar in the product: training and scoring, the page, proposing planned work, outcomes,
the command, and who may see it."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case, ClientCredential
from expedite.cases.services import case_open, case_service
from expedite.domain.audit import AuditKind
from expedite.notify.models import OutboxMessage
from expedite.radar import selectors, services
from expedite.radar.models import RadarOutreach, RadarScore, RadarSource
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def radar(world):
    """A food licence of 鲜达's due for renewal in 7 working days (it expires 15 later);
    models trained and applied."""
    cal = firm_calendar()
    expiry = cal.add_workdays(world.today, 22)
    ClientCredential.objects.create(
        client=world.acme,
        kind="permit",
        title="食品经营许可证",
        number="JY13101150000001",
        expires_on=expiry,
        updated_at=world.now,
    )
    world.version = services.radar_train(source=RadarSource.SYNTHETIC, now=world.now, seed=1)
    services.radar_score(now=world.now)
    return world


def licence_row(world):
    score = RadarScore.objects.get(client=world.acme)
    return score, next(a for a in score.ahead if a["code"] == "food-licence-renewal")


def test_training_keeps_the_models_and_the_backtest_and_scores_every_client(radar):
    assert set(radar.version.fitted) == {"30", "60"}
    assert radar.version.evaluation["horizons"]["30"]["methods"]["model"]["precision_at_50"] > 0
    assert RadarScore.objects.count() == 2
    assert AuditEvent.objects.filter(kind=AuditKind.RADAR_TRAINED).count() == 1
    score, row = licence_row(radar)
    assert 0 < score.p30 < 1 and score.value > 0
    assert row["latest_start"] <= row["due"]


def test_the_page_lists_clients_with_reasons_and_deadlines(client, radar):
    client.login(username="zhang", password=PASSWORD)
    page = client.get(reverse("radar")).content.decode()
    assert "上海鲜达电子商务有限公司" in page
    _, row = licence_row(radar)
    assert f"截止 {row['due']}，最晚 {row['latest_start']} 启动" in page
    assert "建议常规办理" in page
    # 恒信 has no history and nothing ahead: not worth a call this week, only counted.
    assert "苏州恒信建设工程有限公司" not in page
    assert "另有 1 家客户近期加急的可能性低" in page
    report = client.get(reverse("radar_report")).content.decode()
    assert "基准：过去 12 个月加急过" in report and "<svg" in report
    detail = client.get(reverse("radar_client", args=[radar.acme.pk])).content.decode()
    assert "食品经营许可和备案管理办法" in detail


def test_proposing_opens_a_standard_track_case_and_tells_the_client(client, radar):
    client.login(username="zhang", password=PASSWORD)
    _, row = licence_row(radar)
    before = Case.objects.count()
    response = client.post(
        reverse("radar_propose", args=[radar.acme.pk]), {"code": row["code"], "due": row["due"]}
    )
    assert response.status_code == 302
    outreach = RadarOutreach.objects.get()
    case = outreach.case
    assert Case.objects.count() == before + 1
    assert case.service.code == "food-business-license"
    assert case.requested_deadline.isoformat() == row["due"]
    assert "需求雷达" in case.reason
    assert OutboxMessage.objects.filter(case=case).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.RADAR_PROPOSED, case=case).exists()
    # Twice: refused with a reason, nothing new.
    again = client.post(
        reverse("radar_propose", args=[radar.acme.pk]),
        {"code": row["code"], "due": row["due"]},
        follow=True,
    )
    assert "已就该事项联系过客户" in again.content.decode()
    assert Case.objects.count() == before + 1 and RadarOutreach.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"code": "food-licence-renewal", "due": "2099-01-01"},
        {"code": "no-such", "due": "2027-01-15"},
        {"code": "food-licence-renewal", "due": "not a date"},
        {"code": "\x00", "due": ""},
    ],
)
def test_a_proposal_for_no_known_obligation_changes_nothing(client, radar, data):
    client.login(username="zhang", password=PASSWORD)
    before = (Case.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("radar_propose", args=[radar.acme.pk]), data, follow=True)
    assert response.status_code == 200
    assert (
        "没有这一待办事项" in response.content.decode()
        or "日期格式不正确" in response.content.decode()
    )
    assert (Case.objects.count(), AuditEvent.objects.count()) == before


def test_outcomes_are_recorded_and_counted_in_the_figure(client, radar):
    _, row = licence_row(radar)
    outreach = services.radar_propose(
        actor=radar.zhang,
        client_id=radar.acme.pk,
        code=row["code"],
        due=dt.date.fromisoformat(row["due"]),
        now=clock.now(),
    )
    client.login(username="zhang", password=PASSWORD)
    bad = client.post(
        reverse("radar_outcome", args=[outreach.pk]), {"outcome": "pending"}, follow=True
    )
    assert "请选择联系结果" in bad.content.decode()
    client.post(
        reverse("radar_outcome", args=[outreach.pk]), {"outcome": "converted", "note": "同意"}
    )
    outreach.refresh_from_db()
    assert outreach.outcome == "converted" and outreach.note == "同意"
    assert selectors.outreach_figure() == {
        "flagged": 1,
        "converted": 1,
        "open": 0,
        "decided": 1,
        "share": 1.0,
    }
    assert AuditEvent.objects.filter(kind=AuditKind.RADAR_OUTCOME).count() == 1
    client.login(username="chen", password=PASSWORD)
    kpi = client.get(reverse("kpi_dashboard")).content.decode()
    assert "需求雷达：提前联系转为常规办理" in kpi and "100%" in kpi


def test_the_process_specialist_does_not_see_the_radar(client, radar):
    client.login(username="li", password=PASSWORD)
    assert client.get(reverse("radar")).status_code == 403
    _, row = licence_row(radar)
    response = client.post(
        reverse("radar_propose", args=[radar.acme.pk]), {"code": row["code"], "due": row["due"]}
    )
    assert response.status_code == 403
    assert not RadarOutreach.objects.exists()


def test_the_backtest_command_prints_json_with_both_baselines(capsys, db):
    call_command("radar", "backtest", "--synthetic", "--json")
    report = json.loads(capsys.readouterr().out)
    block = report["horizons"]["30"]
    assert {"model", "expedited_last_12_months", "deadline_within_30_days"} == set(block["methods"])
    assert report["source"] == "synthetic"


def test_the_firm_backtest_says_when_the_history_is_too_short(world):
    with pytest.raises(CommandError, match="历史数据不足以回测"):
        call_command("radar", "backtest")
    # The nightly job keeps going: nothing to train on, nothing scored without models.
    assert services.radar_nightly(now=world.now) == {"trained": None, "scored": 0}


def test_a_proposal_after_the_latest_start_is_refused(client, radar):
    # A second licence due tomorrow: its standard path can no longer start in time.
    cal = firm_calendar()
    ClientCredential.objects.create(
        client=radar.hengxin,
        kind="permit",
        title="食品经营许可证",
        expires_on=cal.add_workdays(radar.today, 16),
        updated_at=radar.now,
    )
    services.radar_score(now=radar.now)
    row = next(
        a
        for a in RadarScore.objects.get(client=radar.hengxin).ahead
        if a["code"] == "food-licence-renewal"
    )
    assert row["latest_start"] < radar.today.isoformat()
    client.login(username="zhang", password=PASSWORD)
    before = (Case.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    response = client.post(
        reverse("radar_propose", args=[radar.hengxin.pk]),
        {"code": row["code"], "due": row["due"]},
        follow=True,
    )
    assert "已不能按常规办理" in response.content.decode()
    after = (Case.objects.count(), AuditEvent.objects.count(), OutboxMessage.objects.count())
    assert after == before and not RadarOutreach.objects.exists()


def test_an_outreach_whose_case_was_cancelled_is_decided_not_converted(radar):
    _, row = licence_row(radar)
    outreach = services.radar_propose(
        actor=radar.zhang,
        client_id=radar.acme.pk,
        code=row["code"],
        due=dt.date.fromisoformat(row["due"]),
        now=clock.now(),
    )
    Case.objects.filter(pk=outreach.case_id).update(state="cancelled")
    figure = selectors.outreach_figure()
    assert (figure["decided"], figure["converted"], figure["open"]) == (1, 0, 0)


def test_a_case_opened_today_takes_its_obligation_off_the_list(radar):
    # The nightly features know only the days before today; what a liaison is asked to act on
    # must also leave out what a case requested today already meets.
    _, row = licence_row(radar)
    case_open(
        actor=radar.zhang,
        client=radar.acme,
        service=case_service("food-business-license"),
        requested_deadline=dt.date.fromisoformat(row["due"]),
        reason="客户来电续证",
        now=radar.now,
    )
    services.radar_score(now=radar.now)
    score = RadarScore.objects.get(client=radar.acme)
    assert all(a["code"] != "food-licence-renewal" for a in score.ahead)
    assert score.next_start is None or score.next_start.isoformat() != row["latest_start"]
