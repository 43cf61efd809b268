"""Every KPI computed on a small fixed data set, with the arithmetic written out by hand."""

import datetime as dt

import pytest

from expedite.domain import kpi
from expedite.domain.calendar import SHANGHAI
from expedite.domain.kpi import DeliveredCase, Purchase, Rate, Rating, SlaRecord

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
NOW = dt.datetime(2026, 4, 15, 12, 0, tzinfo=SHANGHAI)


def at(month, day, hour, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def case(case_id, service, client, delivered, deadline, workdays, standard, industry, **kw):
    return DeliveredCase(
        case_id=case_id,
        client_id=client,
        service=service,
        delivered_on=delivered,
        deadline=deadline,
        workdays=workdays,
        standard_workdays=standard,
        industry_workdays=industry,
        **kw,
    )


DELIVERED = [
    # A: on time (10th ≤ 12th), one error caught in review, none after delivery.
    case(1, "business-change", 1, dt.date(2026, 3, 10), dt.date(2026, 3, 12), 4.0, 7, 8,
         caught_in_review=1),
    # B: a day late (20th > 19th), an error found after delivery.
    case(2, "business-change", 2, dt.date(2026, 3, 20), dt.date(2026, 3, 19), 5.0, 7, 8,
         errors_after=1),
    # C: delivered on the deadline day itself, which is on time; two errors caught in review.
    case(3, "labor-dispatch-license", 1, dt.date(2026, 3, 31), dt.date(2026, 3, 31), 3.0, 5, 6,
         caught_in_review=2),
    # D: April; a service without an industry reference figure.
    case(4, "tax-filing", 3, dt.date(2026, 4, 1), dt.date(2026, 4, 3), 1.5, 3, None),
]  # fmt: skip

PREREVIEWS = [
    SlaRecord(dt.date(2026, 3, 2), due=at(3, 2, 11), done=at(3, 2, 10, 30)),  # met
    SlaRecord(dt.date(2026, 3, 5), due=at(3, 5, 15), done=at(3, 5, 15)),  # met: exactly on time
    SlaRecord(dt.date(2026, 3, 9), due=at(3, 9, 11), done=at(3, 9, 11, 1)),  # missed by a minute
    SlaRecord(dt.date(2026, 4, 15), due=at(4, 15, 13), done=None),  # open, not yet due: left out
    SlaRecord(dt.date(2026, 4, 14), due=at(4, 14, 17), done=None),  # open and overdue: missed
]
INCIDENTS = [
    SlaRecord(dt.date(2026, 3, 3), due=at(3, 3, 10), done=at(3, 3, 9, 40)),  # met
    SlaRecord(dt.date(2026, 4, 10), due=at(4, 10, 14), done=at(4, 10, 15, 30)),  # missed
]
RATINGS = [
    Rating(dt.date(2026, 3, 15), 5.0),
    Rating(dt.date(2026, 3, 20), 4.0),  # exactly 4: satisfied
    Rating(dt.date(2026, 3, 25), 3.67),
    Rating(dt.date(2026, 4, 2), 2.0),
]
PURCHASES = [
    Purchase(1, dt.date(2025, 4, 10)),
    Purchase(1, dt.date(2026, 3, 1)),
    Purchase(2, dt.date(2026, 3, 5)),
    Purchase(3, dt.date(2025, 3, 31)),  # one day before March 2026's 12-month window
    Purchase(3, dt.date(2026, 4, 1)),
    Purchase(4, dt.date(2025, 6, 1)),
    Purchase(4, dt.date(2025, 9, 1)),
    Purchase(4, dt.date(2026, 2, 1)),
]


@pytest.fixture(scope="module")
def figures():
    march, april = kpi.monthly(
        months=[MARCH, APRIL],
        delivered=DELIVERED,
        prereviews=PREREVIEWS,
        incidents=INCIDENTS,
        ratings=RATINGS,
        purchases=PURCHASES,
        now=NOW,
    )
    return march, april


def test_durations_compare_the_sums_of_a_months_cases(figures):
    march, april = figures
    d = march.durations
    # A, B, C: taken 4 + 5 + 3 = 12; standard 7 + 7 + 5 = 19; industry 8 + 8 + 6 = 22.
    assert (d.cases, d.taken, d.standard, d.industry) == (3, 12.0, 19, 22)
    assert d.vs_standard == pytest.approx(12 / 19)  # 0.632
    assert d.vs_industry == pytest.approx(12 / 22)  # 0.545: better than the claimed 0.60
    assert d.mean_taken == pytest.approx(4.0)
    # April: D only, 1.5 of 3 standard days; no industry figure, so no industry ratio.
    assert april.durations.vs_standard == pytest.approx(0.5)
    assert april.durations.reference_cases == 0
    assert april.durations.vs_industry is None


def test_the_industry_ratio_counts_only_cases_with_a_reference():
    # D (no reference) adds to the standard comparison but not to the industry one.
    d = kpi.durations(DELIVERED)
    assert d.taken == 13.5 and d.taken_with_reference == 12.0
    assert d.vs_industry == pytest.approx(12 / 22)
    assert d.vs_standard == pytest.approx(13.5 / 22)  # standard 19 + 3 = 22


def test_on_time_counts_the_deadline_day_itself(figures):
    march, april = figures
    assert march.on_time == Rate(2, 3)  # A and C; B was a day late
    assert april.on_time == Rate(1, 1)


def test_zero_error_counts_errors_after_delivery_and_reports_review_catches_apart(figures):
    march, april = figures
    assert march.zero_error == Rate(2, 3)  # B had an error after delivery
    assert march.zero_error.value == pytest.approx(0.6667, abs=1e-4)
    assert march.caught_in_review == 3  # A 1 + C 2: caught before delivery, not errors
    assert april.zero_error == Rate(1, 1)


def test_sla_compliance_leaves_out_what_may_still_be_met(figures):
    march, april = figures
    assert march.prereview_sla == Rate(2, 3)  # 10:30 ≤ 11:00, 15:00 ≤ 15:00; 11:01 > 11:00
    assert april.prereview_sla == Rate(0, 1)  # the overdue open round; the other is not due
    assert march.incident_sla == Rate(1, 1)
    assert april.incident_sla == Rate(0, 1)


def test_satisfaction_is_the_share_averaging_four_or_more_and_the_mean(figures):
    march, april = figures
    assert march.satisfaction.satisfied == Rate(2, 3)  # 5.0 and 4.0; 3.67 is not
    assert march.satisfaction.mean == pytest.approx((5.0 + 4.0 + 3.67) / 3)  # 4.223
    assert april.satisfaction.satisfied == Rate(0, 1)
    assert april.satisfaction.mean == 2.0


def test_repeat_purchase_looks_at_the_twelve_months_ending_with_the_month(figures):
    march, april = figures
    # March 2026's window is 2025-04-01..2026-03-31: client 1 bought twice, 2 once, 4 three
    # times; 3 not at all (2025-03-31 is a day before it, 2026-04-01 after) → 2 of 3.
    assert march.repeat == Rate(2, 3)
    # April's window is 2025-05-01..2026-04-30: client 1's April 2025 purchase drops out (1 left),
    # 2 once, 3 once (2026-04-01), 4 three times → 1 of 4.
    assert april.repeat == Rate(1, 4)


def test_a_month_without_records_has_no_value_rather_than_zero():
    (empty,) = kpi.monthly(
        months=[dt.date(2026, 1, 1)],
        delivered=DELIVERED,
        prereviews=[],
        incidents=[],
        ratings=[],
        purchases=[],
        now=NOW,
    )
    assert empty.on_time == Rate(0, 0) and empty.on_time.value is None
    assert empty.durations.vs_industry is None
    assert empty.satisfaction.mean is None


def test_by_service_gives_each_services_averages():
    rows = {r.service: r for r in kpi.by_service(DELIVERED)}
    assert list(rows) == ["business-change", "labor-dispatch-license", "tax-filing"]
    bc = rows["business-change"]
    # (4 + 5) / 2 = 4.5 taken on average against 7 standard and 8 industry: 9 / 16.
    assert bc.durations.mean_taken == 4.5
    assert (bc.mean_standard, bc.mean_industry) == (7, 8)
    assert bc.durations.vs_industry == pytest.approx(9 / 16)
    assert rows["tax-filing"].mean_industry is None


def test_months_run_across_the_year_end():
    assert kpi.add_months(dt.date(2025, 11, 1), 3) == dt.date(2026, 2, 1)
    assert kpi.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert kpi.months_between(dt.date(2025, 11, 20), dt.date(2026, 2, 3)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert kpi.months_between(dt.date(2026, 2, 1), dt.date(2026, 1, 1)) == []
