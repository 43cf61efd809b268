"""Properties of the calendar that must hold for every date and count."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements

CAL = WorkCalendar(statutory_arrangements())
dates = st.dates(min_value=dt.date(2006, 1, 1), max_value=dt.date(2097, 12, 31))
counts = st.integers(min_value=-400, max_value=400)
instants = st.datetimes(
    min_value=dt.datetime(2015, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(SHANGHAI),
)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30))


@given(dates, counts)
def test_add_workdays_always_lands_on_a_workday(d, n):
    assert CAL.is_workday(CAL.add_workdays(d, n))


@given(dates, counts)
def test_counting_back_what_was_added_gives_n_for_workdays(d, n):
    a = CAL.add_workdays(d, 0)  # a workday
    assert CAL.workdays_between(a, CAL.add_workdays(a, n)) == n


@given(dates, counts, counts)
def test_add_workdays_is_monotonic_in_n(d, n, m):
    if n <= m:
        assert CAL.add_workdays(d, n) <= CAL.add_workdays(d, m)


@given(dates, dates)
def test_add_workdays_is_monotonic_in_the_start(a, b):
    if a <= b:
        for n in (-3, 0, 1, 5):
            assert CAL.add_workdays(a, n) <= CAL.add_workdays(b, n)


@given(dates, dates, dates)
def test_workdays_between_adds_up(a, b, c):
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)


@given(dates)
def test_next_and_previous_workday_bracket_the_day(d):
    assert CAL.previous_workday(d) < d < CAL.next_workday(d)
    assert CAL.workdays_between(CAL.previous_workday(d), CAL.next_workday(d)) == 1 + CAL.is_workday(
        d
    )


@given(instants, instants)
def test_working_time_is_never_negative_nor_more_than_wall_time(t1, t2):
    worked = CAL.working_time_between(t1, t2)
    assert dt.timedelta(0) <= worked <= max(t2 - t1, dt.timedelta(0))


@given(instants, durations)
@settings(max_examples=300)
def test_adding_working_time_and_measuring_it_back_agree(t, amount):
    due = CAL.add_working_time(t, amount)
    assert due >= t
    assert CAL.working_time_between(t, due) == amount


@given(instants, durations, durations)
def test_add_working_time_is_monotonic(t, a, b):
    if a <= b:
        assert CAL.add_working_time(t, a) <= CAL.add_working_time(t, b)
