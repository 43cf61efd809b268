"""Known deadlines: due dates per obligation kind, rolled over rest days, and the latest start
of the standard path, across 调休 and year ends."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expedite.catalog import load_default_catalog, load_obligations
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.errors import CatalogError
from expedite.domain.obligations import (
    Credential,
    LatestStarts,
    client_obligations,
    credential_due,
    latest_start,
    parse_obligations,
    statutory_dues,
)
from expedite.domain.planning import plan

D = dt.date
CAL = WorkCalendar(statutory_arrangements())
CATALOG = load_default_catalog()
OBLIGATIONS = load_obligations()


def entry(code):
    return OBLIGATIONS.named(code)


def dues(code, start, end):
    return statutory_dues(entry(code), start, end, CAL)


def test_income_tax_settlement_rolls_past_the_dragon_boat_weekend():
    # 2025-05-31 is a Saturday and 端午节 runs to 2 June: the first workday after is 3 June.
    assert dues("income-tax-settlement", D(2025, 1, 1), D(2025, 12, 31)) == [D(2025, 6, 3)]
    # 2026-05-31 is a Sunday: Monday 1 June.
    assert dues("income-tax-settlement", D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 6, 1)]


def test_quarterly_prepayment_across_the_year_end():
    found = dues("income-tax-prepayment", D(2026, 12, 5), D(2027, 12, 31))
    assert found[0] == D(2027, 1, 15)  # the fourth quarter of 2026, in the new year
    assert len(found) == 4
    # 2028-01-15 is a Saturday: Monday 17 January.
    assert dues("income-tax-prepayment", D(2028, 1, 1), D(2028, 1, 31)) == [D(2028, 1, 17)]


def test_the_social_insurance_base_rolls_off_a_saturday():
    # 2027-07-31 is a Saturday: Monday 2 August.
    assert dues("social-insurance-base", D(2026, 1, 1), D(2027, 12, 31)) == [
        D(2026, 7, 31),
        D(2027, 8, 2),
    ]


def test_a_business_licence_term_falls_due_thirty_days_before_it_ends():
    assert credential_due(entry("business-licence-term"), D(2027, 3, 1), CAL) == D(2027, 1, 30)


def test_latest_start_across_the_new_year_holiday():
    # 1–3 January 2027 are rest days: three working days up to 5 January start on 31 December.
    assert [CAL.is_workday(D(2027, 1, d)) for d in (1, 2, 3, 4)] == [False, False, False, True]
    assert latest_start(CATALOG, "tax-filing", D(2027, 1, 5), CAL) == D(2026, 12, 31)


def test_the_annual_report_date_is_fixed_by_law_and_does_not_roll():
    assert CAL.is_workday(D(2029, 6, 30)) is False  # a Saturday
    assert dues("annual-report", D(2029, 1, 1), D(2029, 12, 31)) == [D(2029, 6, 30)]


def test_an_announced_date_wins_over_the_computed_one():
    text = """
statutory:
  - {code: p, name: 预缴, service: tax-filing, due: {quarterly: 15}, roll_forward: true,
     basis: 法, consequence: {weight: 2, text: 罚}, announced: {2026-10-15: 2026-10-26}}
"""
    parsed = parse_obligations(text)
    assert D(2026, 10, 26) in statutory_dues(
        parsed.statutory[0], D(2026, 10, 1), D(2026, 10, 31), CAL
    )


def test_licence_renewals_fall_due_before_expiry():
    food = entry("food-licence-renewal")  # 15 workdays before expiry
    due = credential_due(food, D(2027, 3, 1), CAL)
    assert CAL.workdays_between(due, D(2027, 3, 1)) == 15
    dispatch = entry("labor-dispatch-renewal")  # 60 days before
    assert credential_due(dispatch, D(2027, 3, 1), CAL) == D(2026, 12, 31)
    hightech = entry("high-tech-recertification")  # the last batch before expiry
    assert credential_due(hightech, D(2027, 11, 20), CAL) == D(2027, 10, 10)
    assert credential_due(hightech, D(2027, 3, 1), CAL) == D(2026, 10, 10)


def test_latest_start_counts_the_make_up_saturday_before_the_spring_festival():
    # 2026: 春节 holidays 15–23 February, 14 February (Saturday) a make-up workday. Tax filing
    # takes three working days: for 24 February they are 13 February, 14 February and 24 February.
    assert CAL.is_workday(D(2026, 2, 14))
    assert latest_start(CATALOG, "tax-filing", D(2026, 2, 24), CAL) == D(2026, 2, 13)


def test_latest_start_is_none_without_a_service_or_a_published_window():
    assert latest_start(CATALOG, "no-such-service", D(2027, 1, 15), CAL) is None
    # High-tech applications go in the provincial windows; none is known for 2029.
    assert latest_start(CATALOG, "high-tech-certification", D(2029, 10, 10), CAL) is None


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=D(2026, 1, 5), max_value=D(2027, 12, 20)))
def test_latest_start_is_the_last_day_whose_standard_plan_still_fits(due):
    service = CATALOG.get("tax-filing")
    start = latest_start(CATALOG, "tax-filing", due, CAL)
    opening = CAL.hours.windows[0][0]

    def finish(day):
        at = dt.datetime.combine(day, opening, tzinfo=SHANGHAI)
        return plan(service, at, CAL).finish.astimezone(SHANGHAI).date()

    assert CAL.is_workday(start)
    assert finish(start) <= due
    assert finish(CAL.next_workday(start)) > due


def test_a_client_is_subject_to_the_statutory_dates_of_services_it_used():
    starts = LatestStarts(CATALOG, CAL)
    today = D(2026, 12, 5)
    held = [
        Credential("permit", "食品经营许可证", D(2027, 3, 1)),
        Credential("seal", "公章", None),
        Credential("permit", "烟草专卖许可证", D(2027, 2, 1)),  # no rule matches
        Credential("permit", "食品经营许可证", D(1990, 1, 1)),  # before the calendar: skipped
    ]
    found = client_obligations(
        OBLIGATIONS,
        starts,
        today=today,
        horizon_days=200,
        served={"tax-filing": D(2026, 3, 1), "annual-report": D(2023, 1, 1)},
        credentials=held,
    )
    codes = [u.code for u in found]
    assert codes[0] == "income-tax-prepayment" and found[0].due == D(2027, 1, 15)
    assert "food-licence-renewal" in codes
    assert "annual-report" not in codes  # last served more than two years ago
    assert codes.count("income-tax-prepayment") == 2  # January and April
    assert all(u.latest_start is None or u.latest_start <= u.due for u in found)
    starts_in_order = [u.latest_start for u in found]
    assert starts_in_order == sorted(starts_in_order)


@pytest.mark.parametrize(
    "text",
    [
        "statutory: [{code: a, name: x, service: s, basis: b, due: {annual: '13-01'}, consequence: {weight: 2}}]",
        "statutory: [{code: a, name: x, service: s, basis: b, due: {annual: '06-30'}, consequence: {weight: 9}}]",
        "credentials: [{code: a, name: x, service: s, basis: b, kinds: [permit], consequence: {weight: 2}}]",
        "statutory: [{code: a, name: x, basis: b, due: {annual: '06-30'}, consequence: {weight: 2}}]",
    ],
)
def test_a_malformed_obligation_is_refused_with_its_place(text):
    with pytest.raises(CatalogError, match=r"statutory|credentials"):
        parse_obligations(text, source="obligations.yaml")


def test_every_name_consequence_and_basis_has_english():
    texts = set()
    for item in (*OBLIGATIONS.statutory, *OBLIGATIONS.credentials):
        texts |= {item.name, item.consequence.text, item.basis}
    assert sorted(t for t in texts if t not in OBLIGATIONS.english) == []
