"""A batch finishes with its last company: its finish, deadline and bottleneck (批量申请)."""

import datetime as dt

import pytest

from expedite.catalog import load_default_catalog
from expedite.domain.batches import (
    MAX_COMPANIES,
    MemberFinish,
    batch_outlook,
    check_companies,
)
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.errors import ValidationFailed
from expedite.domain.planning import PlanFacts, plan

CAL = WorkCalendar(statutory_arrangements())
FRIDAY = dt.date(2026, 12, 4)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=SHANGHAI)


def test_the_batch_finishes_when_its_last_company_does_and_that_company_is_the_bottleneck():
    o = batch_outlook(
        [MemberFinish("a", at(1)), MemberFinish("b", at(3, 16)), MemberFinish("c", at(2))],
        deadline=FRIDAY,
        calendar=CAL,
    )
    assert o.finish == at(3, 16) and o.finish_date == dt.date(2026, 12, 3)
    assert o.bottlenecks == ("b",)
    assert o.meets_deadline is True and o.late_by_workdays == 0
    assert o.spare_workdays == 1  # Friday is left


def test_a_finish_at_any_hour_of_the_deadline_day_meets_it():
    o = batch_outlook([MemberFinish("a", at(4, 17))], deadline=FRIDAY, calendar=CAL)
    assert o.meets_deadline is True and o.spare_workdays == 0


def test_a_late_batch_counts_the_working_days_after_the_deadline_as_the_planner_does():
    # Friday's deadline, finished on Tuesday: Monday and Tuesday late; the weekend is not.
    o = batch_outlook(
        [MemberFinish("a", at(3)), MemberFinish("b", at(8))], deadline=FRIDAY, calendar=CAL
    )
    assert o.meets_deadline is False
    assert o.late_by_workdays == 2 and o.spare_workdays == 0
    assert o.bottlenecks == ("b",)


def test_a_cancelled_case_neither_delays_the_batch_nor_is_its_bottleneck():
    o = batch_outlook(
        [MemberFinish("a", at(2)), MemberFinish("gone", at(9), counts=False)],
        deadline=FRIDAY,
        calendar=CAL,
    )
    assert o.finish == at(2) and o.bottlenecks == ("a",) and o.meets_deadline is True


def test_companies_finishing_at_the_same_moment_are_all_the_bottleneck_in_order():
    o = batch_outlook(
        [MemberFinish("b", at(3)), MemberFinish("a", at(1)), MemberFinish("c", at(3))],
        deadline=FRIDAY,
        calendar=CAL,
    )
    assert o.bottlenecks == ("b", "c")


def test_a_company_without_a_plan_is_named_as_unknown_not_silently_left_out():
    o = batch_outlook(
        [MemberFinish("a", at(2)), MemberFinish("b", None)], deadline=FRIDAY, calendar=CAL
    )
    assert o.finish == at(2) and o.unknown == ("b",)


def test_a_batch_with_no_plan_at_all_has_no_finish_and_no_verdict_on_its_deadline():
    o = batch_outlook([MemberFinish("a", None)], deadline=FRIDAY, calendar=CAL)
    assert o.finish is None and o.finish_date is None
    assert o.meets_deadline is None and o.bottlenecks == () and o.unknown == ("a",)


def test_the_seeds_three_deregistrations_take_ten_working_days_when_one_companys_books_are_late():
    """3家公司同步注销: each files its returns (3 working days) and is then reviewed (5): 8
    working days; the company whose books arrive two working days late finishes the batch."""
    service = load_default_catalog().get("tax-deregistration")
    start = dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)  # a Monday
    unfiled = PlanFacts(unmet_prerequisites=frozenset({"returns-filed"}))
    books_late = PlanFacts(
        unmet_prerequisites=frozenset({"returns-filed"}),
        materials_expected=dt.datetime(2026, 11, 25, 9, tzinfo=SHANGHAI),
    )
    plans = {
        "建材": plan(service, start, CAL, facts=unfiled),
        "物业": plan(service, start, CAL, facts=unfiled),
        "园林": plan(service, start, CAL, facts=books_late),
    }
    assert plans["建材"].working_days == 8
    deadline = CAL.add_workdays(start.date(), 9)  # the 10th working day
    o = batch_outlook(
        [MemberFinish(k, p.finish) for k, p in plans.items()], deadline=deadline, calendar=CAL
    )
    assert o.bottlenecks == ("园林",)
    assert CAL.workdays_between(start.date(), o.finish_date) + 1 == 10
    assert o.meets_deadline is True and o.spare_workdays == 0


def test_a_batch_is_at_least_two_companies():
    with pytest.raises(ValidationFailed, match="至少要选 2 家公司") as caught:
        check_companies([7])
    assert caught.value.field == "companies"


def test_a_batch_is_at_most_thirty_companies():
    assert len(check_companies(list(range(MAX_COMPANIES)))) == MAX_COMPANIES
    with pytest.raises(ValidationFailed, match="最多 30 家公司（现为 31 家）"):
        check_companies(list(range(MAX_COMPANIES + 1)))


def test_a_company_listed_twice_is_refused_naming_its_place_in_the_list():
    with pytest.raises(ValidationFailed, match="第 3 家公司与前面的重复"):
        check_companies([4, 5, 4])
