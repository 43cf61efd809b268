"""A period's figures added up from its months equal the figures of all its records, and a
month's figures survive being kept as JSON."""

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expedite.domain import kpi
from expedite.domain.calendar import SHANGHAI

MONTHS = [dt.date(2026, m, 1) for m in (1, 2, 3)]
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=SHANGHAI)

days = st.dates(min_value=dt.date(2025, 4, 1), max_value=dt.date(2026, 3, 31))
period_days = st.dates(min_value=MONTHS[0], max_value=dt.date(2026, 3, 31))


def _instant(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


delivered = st.builds(
    kpi.DeliveredCase,
    case_id=st.integers(1, 50),
    client_id=st.integers(1, 6),
    service=st.sampled_from(["business-change", "tax-deregistration", "food-license"]),
    delivered_on=period_days,
    deadline=period_days,
    workdays=st.floats(0.5, 20, allow_nan=False),
    standard_workdays=st.floats(1, 30, allow_nan=False),
    industry_workdays=st.none() | st.floats(1, 40, allow_nan=False),
    errors_after=st.integers(0, 2),
    caught_in_review=st.integers(0, 3),
)
sla = st.builds(
    lambda day, due_h, done_h: kpi.SlaRecord(
        day, _instant(day, due_h), None if done_h is None else _instant(day, done_h)
    ),
    period_days,
    st.integers(9, 17),
    st.none() | st.integers(8, 18),
)
rating = st.builds(kpi.Rating, given_on=period_days, average=st.floats(1, 5, allow_nan=False))
purchase = st.builds(kpi.Purchase, client_id=st.integers(1, 6), opened_on=days)


@given(
    st.lists(delivered, max_size=30),
    st.lists(sla, max_size=10),
    st.lists(sla, max_size=10),
    st.lists(rating, max_size=10),
    st.lists(purchase, max_size=30),
)
def test_the_months_added_up_are_the_period_of_all_records(d, pre, inc, ratings, purchases):
    months = kpi.monthly(
        months=MONTHS, delivered=d, prereviews=pre, incidents=inc, ratings=ratings,
        purchases=purchases, now=NOW,
    )  # fmt: skip
    whole = kpi.combined(months)
    assert whole.month == MONTHS[0]
    expected = kpi.durations(d)
    for name in ("cases", "reference_cases"):
        assert getattr(whole.durations, name) == getattr(expected, name)
    for name in ("taken", "standard", "taken_with_reference", "industry"):
        assert getattr(whole.durations, name) == pytest.approx(getattr(expected, name))
    assert whole.on_time == kpi.on_time(d)
    assert whole.zero_error == kpi.zero_error(d)
    assert whole.caught_in_review == sum(c.caught_in_review for c in d)
    assert whole.prereview_sla == kpi.sla_compliance(pre, now=NOW)
    assert whole.incident_sla == kpi.sla_compliance(inc, now=NOW)
    happy = kpi.satisfaction(ratings)
    assert whole.satisfaction.satisfied == happy.satisfied
    assert whole.satisfaction.mean == pytest.approx(happy.mean)
    assert whole.repeat == kpi.repeat_purchase(purchases, month=MONTHS[-1])
    monthly_services = [
        kpi.by_service([c for c in d if kpi.month_of(c.delivered_on) == m]) for m in MONTHS
    ]
    added = kpi.services_combined(monthly_services)
    assert [(s.service, s.durations.cases) for s in added] == [
        (s.service, s.durations.cases) for s in kpi.by_service(d)
    ]
    for month, services in zip(months, monthly_services, strict=True):
        kept = json.loads(json.dumps(kpi.figures_as_json(month, services)))
        assert kpi.figures_from_json(kept) == (month, services)


def test_a_period_has_a_month():
    with pytest.raises(ValueError):
        kpi.combined([])
