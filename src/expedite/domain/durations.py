"""Durations as the catalog states them: working time, or an authority's calendar time.

Working time — `workdays` and `hours` — counts only the calendar's working windows: the
firm's own work, a third party's, or an authority's limit stated in working days (行政许可法
第八十二条 counts licensing limits so).

Calendar time — `days` (natural days, 日) or `months` (个月) — runs through nights, weekends
and holidays, as the authorities' limits of 《商标法》 do (第二十八条: 九个月; 第三十三条: 三个
月). The planner places such a step with the calendar (`WorkCalendar.period_end`): it has no
fixed working length, so `to_timedelta` refuses it.

A duration is either working time or calendar time, never a mix of the two; calendar time is
either days or months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import gettext_noop
from .phrases import Phrase, templates

templates(
    {
        "duration.workdays": gettext_noop("%(n)s 个工作日"),
        "duration.hours": gettext_noop("%(n)s 小时"),
        "duration.both": gettext_noop("%(workdays)s %(hours)s"),
        "duration.zero": gettext_noop("0"),
        "duration.days": gettext_noop("%(n)s 日"),
        "duration.months": gettext_noop("%(n)s 个月"),
    }
)

# For comparing working with calendar time only (a lever's `to` against the step's own
# duration): a nominal working day's hours, a week's five working days in seven, and the
# shortest and longest month.
NOMINAL_DAY_HOURS = 7.5
_NATURAL_PER_WORKDAY = 7 / 5
_MONTH_DAYS = (28, 31)


@dataclass(frozen=True, slots=True)
class Duration:
    workdays: float = 0
    hours: float = 0
    days: int = 0  # natural days (calendar time)
    months: int = 0  # calendar months

    def __post_init__(self) -> None:
        if self.is_calendar and (self.workdays or self.hours):
            raise ValueError("a duration is working time or calendar time, not both")
        if self.days and self.months:
            raise ValueError("calendar time is in days or in months, not both")

    @property
    def is_calendar(self) -> bool:
        """True for an authority's calendar time (natural days or months)."""
        return bool(self.days or self.months)

    def to_timedelta(self, day_length: dt.timedelta) -> dt.timedelta:
        """The working time, given the length of a working day. Calendar time has no fixed
        working length (it depends on the day it starts): ValueError."""
        if self.is_calendar:
            raise ValueError("calendar time has no fixed working length; plan it by the calendar")
        return day_length * self.workdays + dt.timedelta(hours=self.hours)

    def natural_days(self, *, longest: bool) -> float:
        """A nominal length in natural days, for comparing durations of either kind: a working
        day counts 7/5 of a day (holidays aside), a working hour 1/7.5 of a working day, and a
        month 28 days, or 31 with `longest`."""
        worked = self.workdays + self.hours / NOMINAL_DAY_HOURS
        return self.months * _MONTH_DAYS[longest] + self.days + worked * _NATURAL_PER_WORKDAY

    def shorter_than(self, other: Duration) -> bool:
        """Whether this is shorter than `other` however each falls on the calendar: this at its
        longest against `other` at its shortest (`natural_days`). Between two working-time
        durations it is plainly the shorter working time."""
        return self.natural_days(longest=True) < other.natural_days(longest=False)

    def phrase(self) -> Phrase:
        """The duration in words, rendered in the reader's language at the edge."""
        if self.months:
            return Phrase("duration.months", {"n": str(self.months)})
        if self.days:
            return Phrase("duration.days", {"n": str(self.days)})
        days = Phrase("duration.workdays", {"n": f"{self.workdays:g}"})
        hours = Phrase("duration.hours", {"n": f"{self.hours:g}"})
        if self.workdays and self.hours:
            return Phrase("duration.both", {"workdays": days, "hours": hours})
        if self.workdays:
            return days
        return hours if self.hours else Phrase("duration.zero")

    def describe(self) -> str:
        """In Chinese, the source language (“2 个工作日 4 小时”, “9 个月”)."""
        return self.phrase().zh

    def is_positive(self) -> bool:
        return self.workdays > 0 or self.hours > 0 or self.days > 0 or self.months > 0
