"""The statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision), from the lunar library."""

import datetime as dt

import holidays
import pytest

from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.statutory import (
    FIRST_YEAR,
    LAST_YEAR,
    StatutoryRangeError,
    statutory_days,
    statutory_holidays,
)

D = dt.date


def test_2027_has_the_thirteen_days_of_article_2():
    assert statutory_days(2027) == {
        D(2027, 1, 1): "元旦",
        D(2027, 2, 5): "春节",  # 除夕, a Friday
        D(2027, 2, 6): "春节",  # 正月初一
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",  # 初三, a Monday
        D(2027, 4, 5): "清明节",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 6, 9): "端午节",
        D(2027, 9, 15): "中秋节",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
    }


def test_the_spring_festival_starts_on_the_eve_of_the_lunar_new_year():
    # 正月初一 of 2030 is Sunday 3 February, so 除夕 is the Saturday before.
    spring = next(h for h in statutory_holidays(2030) if h.name == "春节")
    assert spring.dates == (D(2030, 2, 2), D(2030, 2, 3), D(2030, 2, 4), D(2030, 2, 5))
    assert spring.rule == "农历除夕、正月初一至初三"


def test_a_day_two_festivals_share_carries_both_names():
    # 中秋 2031 is 1 October.
    days = statutory_days(2031)
    assert days[D(2031, 10, 1)] == "中秋节、国庆节"
    assert len(days) == 12


@pytest.mark.parametrize("year", [FIRST_YEAR - 1, 2008, LAST_YEAR + 1])
def test_years_outside_the_revision_are_refused(year):
    with pytest.raises(StatutoryRangeError, match="2024 年修订"):
        statutory_holidays(year)


def test_the_law_s_days_are_holidays_in_every_published_notice_since_2025():
    # The notices extend the statutory days with make-up swaps, never shorten them: so the
    # lunar library's dates must all be holidays in each year chinesecalendar publishes.
    published = [a for a in statutory_arrangements() if a.year >= FIRST_YEAR]
    assert [a.year for a in published][:2] == [2025, 2026]
    for arrangement in published:
        missing = set(statutory_days(arrangement.year)) - set(arrangement.holidays)
        assert missing == set(), arrangement.year


def test_the_lunar_dates_agree_with_the_holidays_package_until_2099():
    # An independent implementation (its own lunisolar tables): every statutory day we compute
    # is a holiday there too, for every year the calendar covers.
    china = holidays.China(years=range(FIRST_YEAR, LAST_YEAR + 1))
    missing = [
        d for y in range(FIRST_YEAR, LAST_YEAR + 1) for d in statutory_days(y) if d not in china
    ]
    assert missing == []
