"""The statutory holidays of 《全国年节及纪念日放假办法》, for years without a published notice.

Implements the law as revised by 《国务院关于修改〈全国年节及纪念日放假办法〉的决定》
(国务院令第795号, 2024-11-10), in force from 2025-01-01. Its article 2 gives every citizen
these days off:

- 元旦 1 day (1 January);
- 春节 4 days (农历除夕 and 正月初一 to 初三);
- 清明节 1 day (the day of the 清明 solar term);
- 劳动节 2 days (1 and 2 May);
- 端午节 1 day (农历五月初五);
- 中秋节 1 day (农历八月十五);
- 国庆节 3 days (1 to 3 October).

Only these days follow from the law. Which weekend days become working days (调休上班),
and which workday replaces a holiday falling on a weekend (article 6, 补假), the State
Council decides each year in its notice, so they are not computed here.

Earlier revisions differ (2008–2024: 春节 3 days from 初一 without 除夕, 劳动节 1 day), so
years before 2025 are refused rather than answered with the wrong law; those years all have
a published notice anyway.

Lunar dates and the 清明 term come from `tyme4py`, which computes new moons and solar terms
astronomically; it is imported on first use, so importing this module costs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from .errors import DomainError, gettext_noop

DECREE = "国务院令第795号（2024年11月10日）"
FIRST_YEAR = 2025  # the revision is in force from 2025-01-01
LAST_YEAR = 2099  # the calendar's range, over which the lunar dates are checked


class StatutoryRangeError(DomainError):
    code = "out_of_range"


@dataclass(frozen=True, slots=True)
class StatutoryHoliday:
    """One festival of article 2 in one year: its name, the rule, and its days in order."""

    name: str
    rule: str
    dates: tuple[dt.date, ...]


@lru_cache(maxsize=128)
def statutory_holidays(year: int) -> tuple[StatutoryHoliday, ...]:
    """The festivals of article 2 in `year`, in the article's order.

    Raises `StatutoryRangeError` for a year before 2025 (another revision of the law
    applies) or after 2099. Cached per year: the lunar computation runs once per process.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise StatutoryRangeError(
            gettext_noop(
                "按《全国年节及纪念日放假办法》（2024 年修订）推算节假日仅适用于"
                "%(first)s 至 %(last)s 年，%(year)s 年不在其内。"
            ),
            params={"first": FIRST_YEAR, "last": LAST_YEAR, "year": year},
        )
    # The lunar calendar loads only for years whose notice is not out.
    from tyme4py.lunar import LunarMonth
    from tyme4py.solar import SolarTerm

    def lunar(month: int, day: int) -> dt.date:
        # The first day of the (non-leap) lunar month of lunar year `year`, then count on:
        # 正月, 五月 and 八月 of lunar year Y all fall in Gregorian year Y.
        first = LunarMonth.from_ym(year, month).get_first_julian_day().get_solar_day()
        return _date(first) + dt.timedelta(days=day - 1)

    new_year = lunar(1, 1)
    return (
        StatutoryHoliday("元旦", "1月1日", (dt.date(year, 1, 1),)),
        StatutoryHoliday(
            "春节",
            "农历除夕、正月初一至初三",
            tuple(new_year + dt.timedelta(days=k) for k in range(-1, 3)),
        ),
        StatutoryHoliday(
            "清明节", "农历清明当日", (_date(SolarTerm.from_name(year, "清明").get_solar_day()),)
        ),
        StatutoryHoliday("劳动节", "5月1日、2日", (dt.date(year, 5, 1), dt.date(year, 5, 2))),
        StatutoryHoliday("端午节", "农历五月初五", (lunar(5, 5),)),
        StatutoryHoliday("中秋节", "农历八月十五", (lunar(8, 15),)),
        StatutoryHoliday("国庆节", "10月1日至3日", tuple(dt.date(year, 10, d) for d in (1, 2, 3))),
    )


def statutory_days(year: int) -> Mapping[dt.date, str]:
    """Each statutory day of `year` with its festival's name, in date order.

    A day two festivals share (中秋节 on 1–3 October) carries both names, in the article's
    order: “中秋节、国庆节”. Same range and errors as `statutory_holidays`.
    """
    days: dict[dt.date, list[str]] = {}
    for holiday in statutory_holidays(year):
        for d in holiday.dates:
            days.setdefault(d, []).append(holiday.name)
    return {d: "、".join(days[d]) for d in sorted(days)}


def _date(solar_day) -> dt.date:
    return dt.date(solar_day.get_year(), solar_day.get_month(), solar_day.get_day())
