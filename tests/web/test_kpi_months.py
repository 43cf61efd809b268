"""The firm's figures of months that are over, kept one row a month: the dashboard reads them
instead of the records, gets the records' figures, and loses a row when a record counted in it
changes (tests/web/kpi_helpers.py: March is over at NOW, April is not)."""

import datetime as dt

import pytest
from django.urls import reverse

from expedite.cases.models import Case, CatalogVersion, ServiceType
from expedite.domain.kpi import Rate
from expedite.kpi.models import DeliveryError, KpiMonth
from expedite.kpi.selectors import KpiFilters, computed_months, kpi_report
from expedite.kpi.services import delivery_error_record, kpi_months_refresh
from expedite.materials.models import PreReview
from expedite.monitoring.models import Incident
from expedite.reviews.models import SUPERVISOR, Review, ReviewFinding
from tests.conftest import PASSWORD
from tests.web.kpi_helpers import NOW, at, kpi_history

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
PERIOD = KpiFilters(first=MARCH, last=APRIL)


def report(world, now=NOW):
    return kpi_report(user=world.chen, filters=PERIOD, now=now)


def kept_months():
    return list(KpiMonth.objects.values_list("month", flat=True))


def test_a_month_that_is_over_is_kept_and_read_back_with_the_records_figures(world):
    kpi_history(world)
    first = report(world)
    assert kept_months() == [MARCH]  # April is not over
    again = report(world)
    assert again.months == first.months
    assert again.total == first.total
    assert again.services == first.services
    records = [m for m, _services in computed_months(PERIOD, now=NOW)]
    assert again.months == records
    # It is the row that is read: what the row says is what the page shows.
    row = KpiMonth.objects.get(month=MARCH)
    row.figures = {**row.figures, "on_time": [7, 9]}
    row.save()
    assert report(world).months[0].on_time == Rate(7, 9)


def test_an_error_found_later_drops_its_delivery_month_and_is_counted(world):
    cases = kpi_history(world)
    assert report(world).months[0].zero_error == Rate(1, 2)  # B's error
    assert kept_months() == [MARCH]
    delivery_error_record(
        actor=world.chen,
        case=cases["a"],
        found_on=dt.date(2026, 4, 15),
        description="税号填错",
        remedy="已更正",
        now=NOW,
    )
    assert kept_months() == []
    assert report(world).months[0].zero_error == Rate(0, 2)


def test_a_case_that_changes_drops_the_months_its_purchase_counts_in(world):
    cases = kpi_history(world)
    assert report(world).months[0].repeat == Rate(1, 2)  # acme bought A and C
    # A purchase undone (a direct write, as a cancellation or correction would save it).
    c = Case.objects.get(pk=cases["c"].pk)
    c.state = "cancelled"
    c.save()
    assert kept_months() == []
    assert report(world).months[0].repeat == Rate(0, 2)


def test_a_month_whose_pre_review_can_still_be_met_is_not_kept(world):
    cases = kpi_history(world)
    PreReview.objects.create(
        case=cases["b"], round=2, started_at=at(3, 31, 17), due_at=at(4, 21, 9)
    )  # still open, due after NOW
    first = report(world)
    assert kept_months() == []
    assert first.months[0].prereview_sla == Rate(1, 1)  # the open round is not counted yet
    later = dt.datetime(2026, 4, 21, 9, 30, tzinfo=NOW.tzinfo)
    assert report(world, now=later).months[0].prereview_sla == Rate(1, 2)  # missed
    assert kept_months() == [MARCH]


def test_a_row_kept_under_an_older_catalog_is_made_again(world):
    kpi_history(world)
    report(world)
    row = KpiMonth.objects.get(month=MARCH)
    row.figures = {**row.figures, "on_time": [7, 9]}
    newest = CatalogVersion.objects.order_by("-pk").values_list("pk", flat=True).first()
    row.catalog_version = (newest or 0) + 1
    row.save()
    assert report(world).months[0].on_time == Rate(1, 2)
    assert KpiMonth.objects.get(month=MARCH).figures["on_time"] == [1, 2]


def test_the_nightly_refresh_keeps_every_month_that_is_over_and_can_run_twice(world):
    kpi_history(world)
    assert kpi_months_refresh(now=NOW) == {"months": 36}
    rows = dict(KpiMonth.objects.values_list("month", "figures"))
    assert min(rows) == dt.date(2023, 4, 1) and max(rows) == MARCH
    assert rows[MARCH]["on_time"] == [1, 2]
    assert kpi_months_refresh(now=NOW) == {"months": 36}
    assert dict(KpiMonth.objects.values_list("month", "figures")) == rows


def test_the_page_lists_the_newest_errors_and_says_how_many_there_are(world, client):
    cases = kpi_history(world)
    for day in range(1, 31):
        DeliveryError.objects.create(
            case=cases["c"], found_on=dt.date(2026, 4, 3) + dt.timedelta(days=day % 15),
            description=f"差错 {day}", recorded_by=world.zhang, recorded_at=at(4, 18),
        )  # fmt: skip
    client.login(username="chen", password=PASSWORD)
    html = client.get(reverse("kpi_dashboard"), {"from": "2026-03", "to": "2026-04"}).content
    html = html.decode()
    assert html.count("#delivery-errors") == 30
    assert "共 31 条，此处列出最近的" in html
    assert "漏报一项" not in html  # B's, the oldest, is in the export


def test_an_incident_of_the_whole_firm_is_not_a_cases_and_is_not_counted(world):
    kpi_history(world)
    Incident.objects.create(
        case=None, kind="department_rejection", description="夜间核验失败", raised_at=at(3, 20, 2),
        response_due=at(3, 20, 9), managers_at=at(3, 20, 9), acknowledged_at=None,
    )  # fmt: skip
    assert report(world).months[0].incident_sla == Rate(0, 1)  # B's alone
    assert kept_months() == [MARCH]
    assert report(world).months[0].incident_sla == Rate(0, 1)


def test_a_services_standard_days_changing_drops_every_kept_month(world):
    kpi_history(world)
    before = report(world).months[0].durations.standard  # A and B: 7 + 7
    service = ServiceType.objects.get(code="business-change")
    service.standard_workdays += 1
    service.save()
    assert kept_months() == []
    assert report(world).months[0].durations.standard == before + 2


def test_a_review_written_with_its_findings_in_bulk_drops_the_delivery_month(world):
    cases = kpi_history(world)
    assert report(world).months[0].caught_in_review == 1
    review = Review.objects.create(
        case=cases["b"], stage=SUPERVISOR, round=2, reviewer=world.zhao, results=[],
        passed=False, created_at=at(4, 18),
    )  # fmt: skip
    ReviewFinding.objects.bulk_create(
        [ReviewFinding(review=review, item="y", description="漏项", correction="补上")]
    )
    assert kept_months() == []
    assert report(world).months[0].caught_in_review == 2


def test_the_nightly_refresh_also_makes_again_an_older_month_kept(world):
    kpi_history(world)
    old = KpiFilters(first=dt.date(2020, 1, 1), last=dt.date(2020, 1, 1))
    kpi_report(user=world.chen, filters=old, now=NOW)
    row = KpiMonth.objects.get(month=dt.date(2020, 1, 1))
    row.figures = {**row.figures, "on_time": [7, 9]}
    row.save()
    kpi_months_refresh(now=NOW)
    assert KpiMonth.objects.get(month=dt.date(2020, 1, 1)).figures["on_time"] == [0, 0]


def test_a_row_stored_while_a_change_commits_is_deleted_when_it_commits(
    world, django_capture_on_commit_callbacks
):
    cases = kpi_history(world)
    report(world)
    with django_capture_on_commit_callbacks(execute=True):
        DeliveryError.objects.create(
            case=cases["a"], found_on=dt.date(2026, 4, 15), description="税号填错",
            recorded_by=world.zhang, recorded_at=at(4, 15),
        )  # fmt: skip
        assert kept_months() == []
        report(world)  # a reader in between stores the month again
        assert kept_months() == [MARCH]
    assert kept_months() == []  # gone once the change committed
