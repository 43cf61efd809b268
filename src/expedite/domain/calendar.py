"""The working-day calendar: 放假调休, working hours, provisional years.

All answers come from ordinal tables compiled once when the calendar is built, so
`is_workday`, `add_workdays`, `workdays_between`, `add_working_time` and
`working_time_between` are O(1).

Layers, later ones winning:
1. weekends (Saturday and Sunday) are off;
2. for a year with no published arrangement from 2025 on, the statutory holidays of
   《全国年节及纪念日放假办法》 (`statutory.py`) are off;
3. the State Council's annual arrangement for each *known* year: statutory holidays are off
   even on weekdays, make-up days (调休上班, usually a weekend day) are working days; it
   replaces layer 2 for its year entirely;
4. firm closures (a company event day) are off.

A year with no published arrangement is *provisional*: its make-up workdays (and which days
the notice adds around the statutory ones) are unknown, and every answer touching it says so
(`DayInfo.provisional`, `provisional_between`). Before 2025 another revision of the law
applied, so a provisional year before 2025 follows the weekend rule only; every such year
has a published arrangement in `chinesecalendar`.

Dates outside 2004-01-01 … 2099-12-31 raise `CalendarRangeError`.
"""

from __future__ import annotations

import datetime as dt
import enum
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .errors import DomainError, gettext_noop
from .phrases import Msg, Phrase, templates
from .statutory import FIRST_YEAR as STATUTORY_FIRST_YEAR
from .statutory import statutory_days

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_DATE = dt.date(2004, 1, 1)
MAX_DATE = dt.date(2099, 12, 31)
_US = 1_000_000  # microseconds per second


class CalendarRangeError(DomainError):
    code = "out_of_range"


class DayKind(enum.StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # statutory holiday 法定节假日 (including the weekend days inside it)
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班
    CLOSURE = "closure"  # the firm (or office) is closed


DAY_KIND_ZH = {
    DayKind.WORKDAY: gettext_noop("工作日"),
    DayKind.WEEKEND: gettext_noop("周末"),
    DayKind.HOLIDAY: gettext_noop("法定节假日"),
    DayKind.MAKEUP_WORKDAY: gettext_noop("调休上班"),
    DayKind.CLOSURE: gettext_noop("停止办公"),
}
WEEKDAYS_ZH = (
    gettext_noop("周一"),
    gettext_noop("周二"),
    gettext_noop("周三"),
    gettext_noop("周四"),
    gettext_noop("周五"),
    gettext_noop("周六"),
    gettext_noop("周日"),
)

_KIND_CODES = tuple(DayKind)

PROVISIONAL_STATUTORY = (
    "［暂定：该年度放假安排尚未公布，已按《全国年节及纪念日放假办法》"
    "计入法定节假日，调休上班日未知］"
)

templates(
    {
        "day.describe": gettext_noop("%(date)s %(weekday)s %(kind)s"),
        "day.named": gettext_noop("%(day)s（%(name)s）"),
        "day.provisional_statutory": gettext_noop(
            "%(day)s［暂定：该年度放假安排尚未公布，已按《全国年节及纪念日放假办法》"
            "计入法定节假日，调休上班日未知］"
        ),
        "day.provisional_weekend": gettext_noop(
            "%(day)s［暂定：该年度放假安排尚未公布，按周末规则推算］"
        ),
    }
)


@dataclass(frozen=True, slots=True)
class YearArrangement:
    """One year's 放假调休 as published: holiday dates and make-up workdays, each with its name."""

    year: int
    holidays: Mapping[dt.date, str]
    makeup_workdays: Mapping[dt.date, str]
    source: str = ""


@dataclass(frozen=True, slots=True)
class DayInfo:
    date: dt.date
    kind: DayKind
    workday: bool
    name: str | None  # the holiday, the holiday a make-up day is for, or the closure reason
    provisional: bool

    def phrase(self) -> Phrase:
        """The day in words, e.g. “2026-02-14 周六 调休上班（春节）”, for the reader's language."""
        day = Phrase(
            "day.describe",
            {
                "date": self.date.isoformat(),
                "weekday": Msg(WEEKDAYS_ZH[self.date.weekday()]),
                "kind": Msg(DAY_KIND_ZH[self.kind]),
            },
        )
        if self.name:
            day = Phrase("day.named", {"day": day, "name": Msg(self.name)})
        if self.provisional and self.date.year >= STATUTORY_FIRST_YEAR:
            day = Phrase("day.provisional_statutory", {"day": day})
        elif self.provisional:
            day = Phrase("day.provisional_weekend", {"day": day})
        return day

    def describe(self) -> str:
        """One line in Chinese, e.g. “2026-02-14 周六 调休上班（春节）”."""
        return self.phrase().zh


def _days_in_month(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Working windows of a day, e.g. 09:00–12:00 and 13:30–18:00 (several windows allowed)."""

    windows: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(9, 0), dt.time(12, 0)),
        (dt.time(13, 30), dt.time(18, 0)),
    )
    _bounds: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.windows:
            raise DomainError(gettext_noop("工作时间至少需要一个时段。"), field="windows")
        bounds = []
        previous_end = -1
        for start, end in self.windows:
            s, e = _seconds(start), _seconds(end)
            if e <= s:
                raise DomainError(
                    gettext_noop("工作时段 %(window)s 的结束时间应晚于开始时间。"),
                    field="windows",
                    params={"window": f"{start:%H:%M}–{end:%H:%M}"},
                )
            if s < previous_end:
                raise DomainError(
                    gettext_noop("工作时段应按时间先后排列且互不重叠。"), field="windows"
                )
            bounds.append((s * _US, e * _US))
            previous_end = e
        object.__setattr__(self, "_bounds", tuple(bounds))

    @property
    def day_length(self) -> dt.timedelta:
        return dt.timedelta(microseconds=self.day_us)

    @property
    def day_us(self) -> int:
        return sum(e - s for s, e in self._bounds)

    def worked_before(self, us_of_day: int) -> int:
        """Working microseconds of one workday before the given time of day."""
        return sum(min(max(us_of_day - s, 0), e - s) for s, e in self._bounds)

    def time_at(self, worked: int, *, starting: bool = False) -> int:
        """The time of day (µs) at which `worked` µs of the day have been worked.

        The earliest such time, or with `starting` the latest: where work next resumes, so a
        step that starts after three hours' work starts at 13:30, not at 12:00.
        """
        for s, e in self._bounds:
            if worked < e - s or (worked == e - s and not starting):
                return s + worked
            worked -= e - s
        raise ValueError("more than a day's work")

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """From “09:00-12:00,13:30-18:00”."""
        windows = []
        for part in text.split(","):
            try:
                a, b = part.strip().split("-")
                windows.append((dt.time.fromisoformat(a.strip()), dt.time.fromisoformat(b.strip())))
            except ValueError:
                raise DomainError(
                    gettext_noop("无法识别工作时段“%(part)s”，格式如 09:00-12:00,13:30-18:00。"),
                    field="windows",
                    params={"part": part.strip()},
                ) from None
        return cls(windows=tuple(windows))


DEFAULT_HOURS = WorkingHours()


class WorkCalendar:
    """Working days and working time for one firm or office. Immutable once built."""

    def __init__(
        self,
        arrangements: Iterable[YearArrangement] = (),
        *,
        hours: WorkingHours = DEFAULT_HOURS,
        closures: Mapping[dt.date, str] | None = None,
        tz: dt.tzinfo = SHANGHAI,
    ) -> None:
        self.hours = hours
        self.tz = tz
        self._base = MIN_DATE.toordinal()
        size = MAX_DATE.toordinal() - self._base + 1
        kinds = bytearray(size)
        names: dict[int, str] = {}
        arrangements = tuple(arrangements)
        known = {a.year for a in arrangements}
        for day in range(size):
            weekday = (self._base + day - 1) % 7  # date.fromordinal(1) is a Monday
            kinds[day] = _KIND_CODES.index(DayKind.WEEKEND if weekday >= 5 else DayKind.WORKDAY)
        for year in range(max(STATUTORY_FIRST_YEAR, MIN_DATE.year), MAX_DATE.year + 1):
            if year not in known:
                for d, name in statutory_days(year).items():
                    self._set(kinds, names, d, DayKind.HOLIDAY, name)
        for arrangement in arrangements:
            for d, name in arrangement.holidays.items():
                self._set(kinds, names, d, DayKind.HOLIDAY, name)
            for d, name in arrangement.makeup_workdays.items():
                self._set(kinds, names, d, DayKind.MAKEUP_WORKDAY, name)
        for d, reason in (closures or {}).items():
            self._set(kinds, names, d, DayKind.CLOSURE, reason)
        self._kinds = bytes(kinds)
        self._names = names
        self.known_years = frozenset(known)
        working = {_KIND_CODES.index(DayKind.WORKDAY), _KIND_CODES.index(DayKind.MAKEUP_WORKDAY)}
        cum = array("l", [0]) * (size + 1)
        workdays = array("l")
        count = 0
        for day in range(size):
            cum[day] = count
            if kinds[day] in working:
                workdays.append(day)
                count += 1
        cum[size] = count
        self._cum = cum  # workdays in [base, base + i)
        self._wd = workdays  # offsets of the workdays, ascending

    def _set(self, kinds: bytearray, names: dict[int, str], d: dt.date, kind: DayKind, name: str):
        if MIN_DATE <= d <= MAX_DATE:
            offset = d.toordinal() - self._base
            kinds[offset] = _KIND_CODES.index(kind)
            names[offset] = name

    # -- days ---------------------------------------------------------------------------------

    def _offset(self, d: dt.date) -> int:
        if isinstance(d, dt.datetime):
            d = d.date()
        if not MIN_DATE <= d <= MAX_DATE:
            raise CalendarRangeError(
                gettext_noop("日期 %(date)s 超出日历支持范围（%(min)s 至 %(max)s）。"),
                params={"date": d.isoformat(), "min": MIN_DATE, "max": MAX_DATE},
            )
        return d.toordinal() - self._base

    def _date(self, offset: int) -> dt.date:
        return dt.date.fromordinal(self._base + offset)

    def _workday_at(self, index: int) -> dt.date:
        if not 0 <= index < len(self._wd):
            raise CalendarRangeError(
                gettext_noop("结果超出日历支持范围（%(min)s 至 %(max)s）。"),
                params={"min": MIN_DATE, "max": MAX_DATE},
            )
        return self._date(self._wd[index])

    def is_workday(self, d: dt.date) -> bool:
        offset = self._offset(d)
        return self._cum[offset + 1] != self._cum[offset]

    def is_provisional(self, d: dt.date) -> bool:
        """True when d's year has no published arrangement (statutory holidays only)."""
        self._offset(d)
        return d.year not in self.known_years

    def provisional_between(self, a: dt.date, b: dt.date) -> bool:
        """True if any date in the closed interval between a and b lies in a provisional year."""
        lo, hi = (a, b) if a <= b else (b, a)
        self._offset(lo), self._offset(hi)
        return any(y not in self.known_years for y in range(lo.year, hi.year + 1))

    def explain(self, d: dt.date) -> DayInfo:
        offset = self._offset(d)
        kind = _KIND_CODES[self._kinds[offset]]
        return DayInfo(
            date=d,
            kind=kind,
            workday=kind in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY),
            name=self._names.get(offset),
            provisional=self.is_provisional(d),
        )

    def next_workday(self, d: dt.date) -> dt.date:
        """The first workday strictly after d."""
        return self._workday_at(self._cum[self._offset(d) + 1])

    def previous_workday(self, d: dt.date) -> dt.date:
        """The last workday strictly before d."""
        return self._workday_at(self._cum[self._offset(d)] - 1)

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        """Count n workdays from d (the convention of chinesecalendar's `find_workday`).

        - n = 0: d itself if it is a workday, otherwise the next workday (the day work on
          something arriving on d can start);
        - n > 0: from that same starting workday, the n-th workday after it: Friday + 1 is
          Monday, and Saturday + 1 is Tuesday (Saturday rolls to Monday first);
        - n < 0: the |n|-th workday strictly before d: Monday − 1 is Friday, and Saturday − 1
          is Friday too.

        For a workday a, `workdays_between(a, add_workdays(a, n)) == n` for every n.
        Raises `CalendarRangeError` when the answer leaves the supported range.
        """
        # cum[offset] is the index of the first workday on or after d, and also the number of
        # workdays strictly before d, which makes both directions one lookup.
        return self._workday_at(self._cum[self._offset(d)] + n)

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Workdays in the half-open interval [a, b): a counts, b does not.

        Negative when b is before a: −(workdays in [b, a)). So a week from Monday to the next
        Monday has 5, and `workdays_between(a, a) == 0`.
        """
        return self._cum[self._offset(b)] - self._cum[self._offset(a)]

    def period_end(self, d: dt.date, *, months: int = 0, days: int = 0) -> dt.date:
        """The last day of a period of calendar time (an authority's 日 or 个月) starting on d.

        As 《商标法实施条例》第十二条 counts it (and 《民法典》第二百零一条、第二百零三条): the day
        the period starts is not counted, so `days` natural days from d end on d + days; a
        period in months ends on the corresponding day of its last month, or on that month's
        last day when it has none (31 August + 1 month ends on 30 September); a period whose
        last day is not a workday (a weekend or a holiday, or a closure on this calendar)
        ends on the next workday. Months count first, then days; both must be non-negative.
        Raises `CalendarRangeError` when the end leaves the supported range.
        """
        if months < 0 or days < 0:
            raise ValueError("a period is not negative")
        years, month = divmod(d.month - 1 + months, 12)
        year = d.year + years
        if year > MAX_DATE.year:
            raise CalendarRangeError(
                gettext_noop("结果超出日历支持范围（%(min)s 至 %(max)s）。"),
                params={"min": MIN_DATE, "max": MAX_DATE},
            )
        day = min(d.day, _days_in_month(year, month + 1))
        end = dt.date(year, month + 1, day) + dt.timedelta(days=days)
        return self.add_workdays(end, 0)

    def workdays_in(self, a: dt.date, b: dt.date) -> list[dt.date]:
        """The workdays in the closed interval [a, b], in order."""
        lo, hi = self._cum[self._offset(a)], self._cum[self._offset(b) + 1]
        return [self._date(self._wd[i]) for i in range(lo, hi)]

    # -- working time -------------------------------------------------------------------------

    def _local(self, t: dt.datetime) -> dt.datetime:
        if t.tzinfo is None or t.utcoffset() is None:
            raise DomainError(
                gettext_noop("时间必须带时区（例如 2026-11-26T09:30:00+08:00）。"), field="time"
            )
        return t.astimezone(self.tz)

    def _accrued(self, t: dt.datetime) -> int:
        """Working microseconds from the start of the calendar up to instant t."""
        local = self._local(t)
        offset = self._offset(local.date())
        total = self._cum[offset] * self.hours.day_us
        if self._cum[offset + 1] != self._cum[offset]:
            us = (local.hour * 3600 + local.minute * 60 + local.second) * _US + local.microsecond
            total += self.hours.worked_before(us)
        return total

    def _instant(self, accrued: int, *, starting: bool = False) -> dt.datetime:
        """The earliest instant by which `accrued` working microseconds have passed.

        With `starting`, the latest such instant: the moment work at that point begins.
        """
        day_us = self.hours.day_us
        index, rest = divmod(accrued, day_us)
        if rest == 0 and index > 0 and not starting:
            index, rest = index - 1, day_us
        day = self._workday_at(index)
        us = self.hours.time_at(rest, starting=starting)
        naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(microseconds=us)
        return naive.replace(tzinfo=self.tz)

    def work_clock(self, t: dt.datetime) -> int:
        """Working microseconds from the calendar's origin to t: a monotone working-time axis.

        Planning adds durations on this axis and converts back with `at_work_clock`.
        """
        return self._accrued(t)

    def work_clock_end_of(self, d: dt.date) -> int:
        """The working-time axis at the end of day d: all of d's working time included.

        A deadline "by d" means by this point; it needs no date after d, so it works for the
        last supported day too.
        """
        return self._cum[self._offset(d) + 1] * self.hours.day_us

    def at_work_clock(self, us: int, *, starting: bool = False) -> dt.datetime:
        """The instant at position `us` of the working-time axis (see `_instant`)."""
        return self._instant(us, starting=starting)

    def is_working_time(self, t: dt.datetime) -> bool:
        """True when t falls inside a working window of a workday (window ends excluded)."""
        one = dt.timedelta(microseconds=1)
        return self._accrued(t + one) > self._accrued(t)

    def add_working_time(self, t: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The instant at which `amount` of working time after t has been worked.

        Time outside the working windows and on non-workdays does not count. A zero amount
        returns t itself; otherwise the answer is the earliest such instant, so 2 hours from
        10:00 end at 12:00 (not 13:30), and 2 hours from 11:30 end at 15:00.
        """
        if amount < dt.timedelta(0):
            raise DomainError(gettext_noop("工作时长不能为负数。"), field="amount")
        if amount == dt.timedelta(0):
            self._local(t)
            return t
        return self._instant(self._accrued(t) + amount // dt.timedelta(microseconds=1))

    def working_time_between(self, t1: dt.datetime, t2: dt.datetime) -> dt.timedelta:
        """Working time in the half-open interval [t1, t2); zero when t2 is not after t1."""
        us = self._accrued(t2) - self._accrued(t1)
        return dt.timedelta(microseconds=max(us, 0))

    # -- bulk ---------------------------------------------------------------------------------

    def add_workdays_bulk(self, ordinals, n):
        """Vectorized `add_workdays` over numpy arrays of date ordinals and counts.

        Returns an array of ordinals. Raises `CalendarRangeError` if any input or answer is
        outside the supported range.
        """
        # numpy loads only for the vectorised paths.
        import numpy as np

        cum, wd = self._numpy_tables()
        offsets = np.asarray(ordinals, dtype=np.int64) - self._base
        counts = np.asarray(n, dtype=np.int64)
        if offsets.size and (offsets.min() < 0 or offsets.max() >= len(cum) - 1):
            raise CalendarRangeError(gettext_noop("日期超出日历支持范围。"))
        index = cum[offsets] + counts
        if index.size and (index.min() < 0 or index.max() >= len(wd)):
            raise CalendarRangeError(gettext_noop("结果超出日历支持范围。"))
        return wd[index] + self._base

    def workdays_between_bulk(self, a_ordinals, b_ordinals):
        """Vectorized `workdays_between` (half-open [a, b)) over arrays of ordinals."""
        # numpy loads only for the vectorised paths.
        import numpy as np

        cum, _wd = self._numpy_tables()
        a = np.asarray(a_ordinals, dtype=np.int64) - self._base
        b = np.asarray(b_ordinals, dtype=np.int64) - self._base
        for arr in (a, b):
            if arr.size and (arr.min() < 0 or arr.max() >= len(cum) - 1):
                raise CalendarRangeError(gettext_noop("日期超出日历支持范围。"))
        return cum[b] - cum[a]

    def _numpy_tables(self):
        tables = getattr(self, "_np", None)
        if tables is None:
            # numpy loads only for the vectorised paths.
            import numpy as np

            tables = (
                np.frombuffer(self._cum, dtype=np.dtype(self._cum.typecode)).astype(np.int64),
                np.frombuffer(self._wd, dtype=np.dtype(self._wd.typecode)).astype(np.int64),
            )
            self._np = tables
        return tables
