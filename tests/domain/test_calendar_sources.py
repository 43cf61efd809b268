"""Our compiled tables agree with the `holidays` package, an independent source, 2015–2026."""

import datetime as dt

import holidays

from expedite.domain.calendar import WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements

CAL = WorkCalendar(statutory_arrangements())


def test_every_day_from_2015_to_2026_agrees_with_the_holidays_package():
    china = holidays.China(years=range(2015, 2027))
    day, disagreements = dt.date(2015, 1, 1), []
    while day <= dt.date(2026, 12, 31):
        if CAL.is_workday(day) != china.is_working_day(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []


def test_the_package_data_ends_with_2026_so_2027_is_provisional():
    assert max(CAL.known_years) == 2026
    assert CAL.is_provisional(dt.date(2027, 1, 1))
