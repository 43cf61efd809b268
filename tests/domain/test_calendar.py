"""The working-day calendar against the State Council's published 2025 and 2026 notices."""

import datetime as dt

import pytest

from expedite.domain.calendar import (
    MIN_DATE,
    SHANGHAI,
    CalendarRangeError,
    DayKind,
    WorkCalendar,
    WorkingHours,
)
from expedite.domain.calendar_data import statutory_arrangements

D = dt.date
CAL = WorkCalendar(statutory_arrangements())


def days(start: str, end: str) -> list[dt.date]:
    a, b = D.fromisoformat(start), D.fromisoformat(end)
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


# 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）
HOLIDAYS_2025 = {
    "元旦": days("2025-01-01", "2025-01-01"),
    "春节": days("2025-01-28", "2025-02-04"),
    "清明节": days("2025-04-04", "2025-04-06"),
    "劳动节": days("2025-05-01", "2025-05-05"),
    "端午节": days("2025-05-31", "2025-06-02"),
    "国庆节": days("2025-10-01", "2025-10-08"),
}
MAKEUP_2025 = ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]

# 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）
HOLIDAYS_2026 = {
    "元旦": days("2026-01-01", "2026-01-03"),
    "春节": days("2026-02-15", "2026-02-23"),
    "清明节": days("2026-04-04", "2026-04-06"),
    "劳动节": days("2026-05-01", "2026-05-05"),
    "端午节": days("2026-06-19", "2026-06-21"),
    "中秋节": days("2026-09-25", "2026-09-27"),
    "国庆节": days("2026-10-01", "2026-10-07"),
}
MAKEUP_2026 = {
    "2026-01-04": "元旦",
    "2026-02-14": "春节",
    "2026-02-28": "春节",
    "2026-05-09": "劳动节",
    "2026-09-20": "国庆节",
    "2026-10-10": "国庆节",
}


@pytest.mark.parametrize("year_holidays", [HOLIDAYS_2025, HOLIDAYS_2026])
def test_every_published_holiday_is_off_even_on_a_weekday(year_holidays):
    for dates in year_holidays.values():
        for d in dates:
            assert not CAL.is_workday(d), d
            assert CAL.explain(d).kind == DayKind.HOLIDAY


def test_holidays_carry_their_chinese_names():
    assert CAL.explain(D(2026, 2, 17)).name == "春节"
    assert CAL.explain(D(2026, 10, 1)).name == "国庆节"
    assert CAL.explain(D(2025, 10, 6)).name in {"国庆节", "中秋节"}


@pytest.mark.parametrize("day", MAKEUP_2025 + list(MAKEUP_2026))
def test_every_weekend_makeup_day_is_a_working_day(day):
    d = D.fromisoformat(day)
    assert d.weekday() >= 5
    info = CAL.explain(d)
    assert info.workday and info.kind == DayKind.MAKEUP_WORKDAY
    if day in MAKEUP_2026:
        assert info.name == MAKEUP_2026[day]


def test_no_other_weekend_day_of_2025_or_2026_is_a_working_day():
    makeup = {D.fromisoformat(d) for d in [*MAKEUP_2025, *MAKEUP_2026]}
    for d in days("2025-01-01", "2026-12-31"):
        if d.weekday() >= 5 and d not in makeup:
            assert not CAL.is_workday(d), d


def test_2026_has_the_published_number_of_working_days():
    # 365 days − 104 weekend days − 13 weekday holidays + 6 make-up days.
    weekday_holidays = sum(1 for ds in HOLIDAYS_2026.values() for d in ds if d.weekday() < 5)
    expected = 365 - 104 - weekday_holidays + len(MAKEUP_2026)
    assert CAL.workdays_between(D(2026, 1, 1), D(2027, 1, 1)) == expected


def test_explain_reads_in_chinese():
    assert CAL.explain(D(2026, 2, 14)).describe() == "2026-02-14 周六 调休上班（春节）"
    assert CAL.explain(D(2026, 11, 26)).describe() == "2026-11-26 周四 工作日"


def test_a_year_without_a_published_arrangement_is_provisional_not_silent():
    info = CAL.explain(D(2027, 2, 9))
    assert info.provisional
    assert info.workday  # 初四: off only if the notice makes it so
    assert "暂定" in info.describe() and "调休上班日未知" in info.describe()
    assert not CAL.explain(D(2026, 12, 31)).provisional
    assert CAL.provisional_between(D(2026, 12, 20), D(2027, 1, 5))
    assert not CAL.provisional_between(D(2026, 1, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2027-01-01", "元旦"),
        ("2027-02-05", "春节"),
        ("2027-02-06", "春节"),
        ("2027-02-07", "春节"),
        ("2027-02-08", "春节"),
        ("2027-04-05", "清明节"),
        ("2027-05-03", None),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"),
    ],
)
def test_a_provisional_year_keeps_the_statutory_holidays_of_the_law(day, name):
    info = CAL.explain(D.fromisoformat(day))
    assert info.provisional
    if name is None:  # 5月3日 is off only if the notice makes it so
        assert info.workday and info.kind == DayKind.WORKDAY
        return
    assert not info.workday and info.kind == DayKind.HOLIDAY and info.name == name


def test_a_provisional_holiday_explains_the_law_and_the_unknown_swaps():
    assert CAL.explain(D(2027, 2, 8)).describe() == (
        "2027-02-08 周一 法定节假日（春节）［暂定：该年度放假安排尚未公布，"
        "已按《全国年节及纪念日放假办法》计入法定节假日，调休上班日未知］"
    )


def test_add_workdays_across_spring_festival_2027_skips_it():
    # 除夕 is Friday 5 February and 初三 Monday 8 February.
    assert CAL.add_workdays(D(2027, 2, 4), 1) == D(2027, 2, 9)
    assert CAL.add_workdays(D(2027, 2, 9), -1) == D(2027, 2, 4)
    assert CAL.workdays_between(D(2027, 2, 1), D(2027, 2, 15)) == 8


def test_add_workdays_across_spring_festival_2026():
    # Friday 13 Feb + 1 is the make-up Saturday 14 Feb; then the holiday until 23 Feb.
    assert CAL.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CAL.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert CAL.add_workdays(D(2026, 2, 24), -1) == D(2026, 2, 14)


def test_add_zero_workdays_on_a_non_workday_rolls_forward():
    assert CAL.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 8)
    assert CAL.add_workdays(D(2026, 11, 26), 0) == D(2026, 11, 26)


def test_counting_from_a_weekend():
    sat = D(2026, 11, 28)
    assert CAL.add_workdays(sat, 1) == D(2026, 12, 1)  # Saturday rolls to Monday, + 1
    assert CAL.add_workdays(sat, -1) == D(2026, 11, 27)


def test_workdays_between_is_half_open():
    mon, next_mon = D(2026, 11, 23), D(2026, 11, 30)
    assert CAL.workdays_between(mon, next_mon) == 5
    assert CAL.workdays_between(next_mon, mon) == -5
    assert CAL.workdays_between(mon, mon) == 0
    assert CAL.workdays_in(mon, D(2026, 11, 29)) == days("2026-11-23", "2026-11-27")


def test_next_and_previous_workday_skip_the_national_day_week():
    assert CAL.next_workday(D(2026, 9, 30)) == D(2026, 10, 8)
    assert CAL.previous_workday(D(2026, 10, 8)) == D(2026, 9, 30)
    assert CAL.next_workday(D(2026, 10, 9)) == D(2026, 10, 10)  # make-up Saturday


def test_out_of_range_dates_are_refused_clearly():
    with pytest.raises(CalendarRangeError, match="超出日历支持范围"):
        CAL.is_workday(D(2003, 12, 31))
    with pytest.raises(CalendarRangeError):
        CAL.add_workdays(D(2026, 1, 5), 10**7)
    with pytest.raises(CalendarRangeError):
        CAL.add_workdays(MIN_DATE, -1)


def test_firm_closures_are_a_layer_on_top():
    closed = WorkCalendar(statutory_arrangements(), closures={D(2026, 12, 4): "年会"})
    info = closed.explain(D(2026, 12, 4))
    assert info.kind == DayKind.CLOSURE and info.name == "年会" and not info.workday
    assert closed.add_workdays(D(2026, 12, 3), 1) == D(2026, 12, 7)
    assert CAL.add_workdays(D(2026, 12, 3), 1) == D(2026, 12, 4)


T = dt.datetime


def at(*args) -> dt.datetime:
    return T(*args, tzinfo=SHANGHAI)


def test_a_two_hour_clock_started_at_1130_is_due_at_1500():
    assert CAL.add_working_time(at(2026, 11, 26, 11, 30), dt.timedelta(hours=2)) == at(
        2026, 11, 26, 15, 0
    )


def test_work_ending_at_a_window_end_ends_there_not_after_lunch():
    assert CAL.add_working_time(at(2026, 11, 26, 10), dt.timedelta(hours=2)) == at(2026, 11, 26, 12)


def test_working_time_carries_over_the_weekend_and_the_holiday():
    # Friday 17:00 + 2h: one hour on Friday, one on Monday morning.
    assert CAL.add_working_time(at(2026, 11, 27, 17), dt.timedelta(hours=2)) == at(2026, 11, 30, 10)
    # Before Spring Festival 2026: Saturday 14 Feb is a working day.
    assert CAL.add_working_time(at(2026, 2, 13, 17), dt.timedelta(hours=2)) == at(2026, 2, 14, 10)


def test_a_one_hour_response_from_a_late_evening_is_due_next_morning():
    assert CAL.add_working_time(at(2026, 11, 26, 21, 45), dt.timedelta(hours=1)) == at(
        2026, 11, 27, 10
    )


def test_working_time_between_counts_windows_only():
    assert CAL.working_time_between(at(2026, 11, 26, 8), at(2026, 11, 27, 8)) == dt.timedelta(
        hours=7, minutes=30
    )
    assert CAL.working_time_between(at(2026, 11, 26, 12), at(2026, 11, 26, 13, 30)) == dt.timedelta(
        0
    )
    assert CAL.working_time_between(at(2026, 11, 27, 8), at(2026, 11, 26, 8)) == dt.timedelta(0)


def test_times_in_other_zones_are_converted():
    utc = dt.datetime(2026, 11, 26, 3, 30, tzinfo=dt.UTC)  # 11:30 in Shanghai
    assert CAL.add_working_time(utc, dt.timedelta(hours=2)) == at(2026, 11, 26, 15, 0)


def test_naive_times_are_refused():
    with pytest.raises(Exception, match="时区"):
        CAL.add_working_time(T(2026, 11, 26, 10), dt.timedelta(hours=1))


def test_several_windows_a_day_for_an_office():
    office = WorkingHours.parse("09:00-11:30,14:00-16:00,16:30-17:00")
    cal = WorkCalendar(statutory_arrangements(), hours=office)
    assert office.day_length == dt.timedelta(hours=5)
    # 11:00–11:30, 14:00–16:00, then the last half hour of 16:30–17:00.
    assert cal.add_working_time(at(2026, 11, 26, 11), dt.timedelta(hours=3)) == at(2026, 11, 26, 17)


@pytest.mark.parametrize("text", ["9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", ""])
def test_bad_working_hours_are_refused(text):
    with pytest.raises(Exception):  # noqa: B017 - DomainError with a Chinese message
        WorkingHours.parse(text)


def test_bulk_forms_agree_with_the_scalar_ones():
    import numpy as np

    starts = [D(2026, 2, 13), D(2026, 11, 28), D(2025, 9, 27), D(2026, 10, 3)]
    counts = [1, -1, 3, 0]
    got = CAL.add_workdays_bulk(np.array([d.toordinal() for d in starts]), np.array(counts))
    assert [D.fromordinal(int(o)) for o in got] == [
        CAL.add_workdays(d, n) for d, n in zip(starts, counts, strict=True)
    ]
    between = CAL.workdays_between_bulk(
        [d.toordinal() for d in starts], [D(2026, 12, 31).toordinal()] * 4
    )
    assert list(between) == [CAL.workdays_between(d, D(2026, 12, 31)) for d in starts]
