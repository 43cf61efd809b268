"""The KPI selectors on a fixed history (tests/web/kpi_helpers.py), the dashboard, its export,
the delivery record written by the lifecycle, and recording an error found after delivery."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from expedite.audit.models import AuditEvent
from expedite.cases.lifecycle import case_transition
from expedite.cases.triage import TriageInput, case_triage
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.kpi import Rate
from expedite.kpi.models import Delivery, DeliveryError
from expedite.kpi.selectors import KpiFilters, kpi_report, parse_filters
from expedite.kpi.services import delivery_error_record
from expedite.reviews.selectors import review_checklist
from expedite.reviews.services import self_check, supervisor_review
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import new_case
from tests.web.delivery_helpers import add_result
from tests.web.kpi_helpers import NOW, kpi_history

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def report(world, **filters):
    f = KpiFilters(first=MARCH, last=APRIL, **filters)
    return kpi_report(user=world.chen, filters=f, now=NOW)


def test_the_report_on_the_fixed_history_matches_the_hand_computed_figures(world):
    kpi_history(world)
    march, april = report(world).months
    d = march.durations
    # A 4 + B 5 = 9 days against 7 + 7 = 14 standard and 8 + 8 = 16 industry (the catalog's).
    assert (d.cases, d.taken, d.standard, d.industry) == (2, 9.0, 14.0, 16.0)
    assert d.vs_industry == pytest.approx(9 / 16)
    assert march.on_time == Rate(1, 2)  # B delivered 03-20 for 03-19
    assert march.zero_error == Rate(1, 2)  # B's error after delivery
    assert march.caught_in_review == 1  # A's, not an error
    assert march.prereview_sla == Rate(1, 1)  # 11:00 for 12:00
    assert march.incident_sla == Rate(0, 1)  # 11:30 for 11:00
    assert march.satisfaction.satisfied == Rate(1, 2)  # 5.0 yes, 3.33 no
    assert march.satisfaction.mean == pytest.approx((5 + 3.33) / 2)
    assert march.repeat == Rate(1, 2)  # acme bought twice (A, C), hengxin once
    # April: C, 3 days of 5 standard and 6 industry, on time.
    assert april.durations.vs_standard == pytest.approx(3 / 5)
    assert april.durations.vs_industry == pytest.approx(3 / 6)
    assert april.on_time == Rate(1, 1)


def test_filters_narrow_every_figure_to_the_chosen_cases(world):
    kpi_history(world)
    by_service = report(world, service="labor-dispatch-license")
    assert [m.durations.cases for m in by_service.months] == [0, 1]
    assert by_service.months[0].on_time.value is None  # nothing delivered: no value, not 0
    assert by_service.months[1].repeat == Rate(0, 1)  # acme bought this service once
    li = report(world, staff=world.li.pk).months[0]  # A only in March
    assert (li.on_time, li.zero_error, li.incident_sla) == (Rate(1, 1), Rate(1, 1), Rate(0, 0))
    hengxin = report(world, client=world.hengxin.pk).months[0]  # B only
    assert (hengxin.on_time, hengxin.zero_error) == (Rate(0, 1), Rate(0, 1))
    whole = report(world).services
    assert [(name, s.durations.cases) for name, s in whole] == [
        ("工商变更", 2),
        ("劳务派遣许可证", 1),
    ]


def test_only_supervisors_and_managers_see_the_kpis(world, client):
    with pytest.raises(NotAllowed):
        kpi_report(user=world.zhang, filters=parse_filters({}, today=NOW.date()), now=NOW)
    client.login(username="zhang", password=PASSWORD)
    assert client.get(reverse("kpi_dashboard")).status_code == 403
    assert client.get(reverse("kpi_export")).status_code == 403
    assert "经营指标" not in client.get(reverse("board")).content.decode()


def test_the_dashboard_draws_the_trends_with_the_claimed_targets(world, client):
    kpi_history(world)
    client.login(username="chen", password=PASSWORD)
    html = client.get(reverse("kpi_dashboard"), {"from": "2026-03", "to": "2026-04"})
    html = html.content.decode()
    assert html.count('class="kpi-chart"') == 6 and 'class="kpi-bars"' in html
    assert html.count('class="target"') == 4  # 60% industry, 99.8%, 98%, 85%
    assert "宣称 99.8%" in html and "漏报一项" in html
    assert "from=2026-03&amp;to=2026-04" in html  # the export keeps the filters


def test_bad_filters_are_named_and_the_default_period_shown(world, client):
    client.login(username="chen", password=PASSWORD)
    html = client.get(reverse("kpi_dashboard"), {"from": "2026-13"}).content.decode()
    assert "月份“2026-13”格式不对，应写作 2026-05。" in html
    response = client.get(reverse("kpi_export"), {"client": "999999"})
    assert response.status_code == 400
    assert "请从列表中选择客户。" in response.content.decode()
    # Digits that are not ASCII ("²" passes str.isdigit) are a bad choice, not a crash.
    response = client.get(reverse("kpi_export"), {"staff": "²"})
    assert response.status_code == 400 and "请从列表中选择" in response.content.decode()
    with pytest.raises(ValidationFailed, match="起始月份不能晚于结束月份"):
        parse_filters({"from": "2026-05", "to": "2026-03"}, today=NOW.date())


def test_the_excel_export_has_the_same_figures_with_the_filters_applied(world, client):
    kpi_history(world)
    client.login(username="chen", password=PASSWORD)
    response = client.get(
        reverse("kpi_export"), {"from": "2026-03", "to": "2026-04", "client": world.hengxin.pk}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["月度指标"].iter_rows(values_only=True))
    head, march = rows[0], rows[1]
    row = dict(zip(head, march, strict=False))
    assert row["月份"] == "2026-03"
    assert row["交付单数"] == 1  # hengxin's B only
    assert row["零差错率"] == 0 and row["按期交付率"] == 0
    assert row["实际÷行业参考"] == pytest.approx(5 / 8)
    assert rows[2][0] == "2026-04" and rows[2][1] == 0
    assert dict(book["筛选条件"].iter_rows(values_only=True))["客户"] == "苏州恒信建设工程有限公司"
    assert [r[3] for r in book["交付后差错"].iter_rows(values_only=True)][1:] == ["漏报一项"]


def _delivered_case(world, *, after=dt.timedelta(days=3)):
    deadline = firm_calendar().add_workdays(timezone.localdate(), 10)
    case = new_case(
        world, client=world.acme, service="tax-filing", deadline=deadline, reason="季度申报"
    )
    case = case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(deadline=deadline, written_notice=True),
        now=timezone.now(),
    )
    for state in ("quoted", "accepted", "in_progress", "review"):
        case = case_transition(actor=world.zhang, case=case, to=state, now=timezone.now())
    add_result(world, case)
    ok = [{"item": i, "ok": True} for i in review_checklist(case)]
    self_check(actor=world.wang, case=case, results=ok, now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=ok, now=timezone.now())
    later = timezone.now() + after
    return case_transition(actor=world.zhang, case=case, to="delivered", now=later), later


def test_the_first_delivery_is_recorded_with_the_firms_clock(world):
    case, delivered_at = _delivered_case(world)
    row = Delivery.objects.get(case=case)
    cal = firm_calendar()
    expected = cal.working_time_between(case.created_at, delivered_at) / cal.hours.day_length
    assert row.delivered_at == delivered_at
    assert float(row.workdays) == pytest.approx(expected, abs=0.01)
    # Reopened and delivered again: the client had the result the first time.
    case = case_transition(actor=world.zhang, case=case, to="in_progress", now=delivered_at)
    assert Delivery.objects.filter(case=case).count() == 1
    assert Delivery.objects.get(case=case).delivered_at == delivered_at


def test_an_error_after_delivery_is_recorded_once_audited_and_checked(world, client):
    case, _delivered_at = _delivered_case(world, after=dt.timedelta(0))
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="发现日期应在交付日"):
        delivery_error_record(
            actor=world.zhang,
            case=case,
            found_on=today + dt.timedelta(days=30),
            description="税额算错",
            now=timezone.now(),
        )
    with pytest.raises(ValidationFailed, match="请填写差错说明"):
        delivery_error_record(
            actor=world.zhang, case=case, found_on=today, description="  ", now=timezone.now()
        )
    assert not DeliveryError.objects.exists()
    client.login(username="zhang", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "登记交付后发现的差错" in page
    client.post(
        reverse("case_delivery_error", args=[case.pk]),
        {"found_on": today.isoformat(), "description": "附加税漏报", "remedy": "已补报"},
    )
    error = DeliveryError.objects.get(case=case)
    assert (error.description, error.remedy, error.recorded_by) == (
        "附加税漏报",
        "已补报",
        world.zhang,
    )
    event = AuditEvent.objects.get(kind=AuditKind.DELIVERY_ERROR_RECORDED)
    assert event.case_id == case.pk and event.payload["description"] == "附加税漏报"
    assert "附加税漏报" in client.get(reverse("case_detail", args=[case.pk])).content.decode()


def test_an_error_cannot_be_recorded_on_a_case_not_yet_delivered(world, client):
    case = new_case(
        world,
        client=world.acme,
        service="tax-filing",
        deadline=firm_calendar().add_workdays(timezone.localdate(), 5),
        reason="季度申报",
    )
    with pytest.raises(ValidationFailed, match="尚未交付"):
        delivery_error_record(
            actor=world.zhang,
            case=case,
            found_on=timezone.localdate(),
            description="税额算错",
            now=timezone.now(),
        )
    client.login(username="zhang", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "登记交付后发现的差错" not in page
    assert not AuditEvent.objects.filter(kind=AuditKind.DELIVERY_ERROR_RECORDED).exists()
