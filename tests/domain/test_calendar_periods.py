"""Periods of calendar time (an authority's 日 and 个月), counted as 《商标法实施条例》第十二条
counts them: the first day does not count, a month ends on the corresponding day, and a
period ending on a day off ends on the next workday."""

import datetime as dt

import pytest

from expedite.domain.calendar import CalendarRangeError, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements

D = dt.date
CAL = WorkCalendar(statutory_arrangements())


def test_nine_months_end_on_the_corresponding_day_of_the_ninth_month():
    assert CAL.period_end(D(2026, 11, 23), months=9) == D(2027, 8, 23)


def test_a_period_ending_in_the_national_day_holiday_ends_on_the_first_workday_after_it():
    # 2026-01-05 + 9 months is Monday 5 October, inside 国庆节 (1–7 October 2026).
    assert CAL.period_end(D(2026, 1, 5), months=9) == D(2026, 10, 8)


def test_a_month_without_the_corresponding_day_ends_on_its_last_day():
    assert CAL.period_end(D(2026, 5, 31), months=1) == D(2026, 6, 30)
    assert CAL.period_end(D(2026, 8, 31), months=6) == D(2027, 3, 1)  # 28 Feb 2027 is a Sunday


def test_days_do_not_count_the_first_day():
    # 15 days from the day a rejection is received (商标法第三十四条).
    assert CAL.period_end(D(2026, 11, 23), days=15) == D(2026, 12, 8)


def test_a_period_ending_on_a_weekend_ends_on_monday():
    assert CAL.period_end(D(2026, 11, 23), days=5) == D(2026, 11, 30)  # Saturday 28th


def test_a_negative_period_is_refused_and_one_past_the_calendar_is_a_range_error():
    with pytest.raises(ValueError):
        CAL.period_end(D(2026, 11, 23), months=-1)
    with pytest.raises(CalendarRangeError):
        CAL.period_end(D(2099, 6, 1), months=9)
