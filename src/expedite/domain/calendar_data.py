"""Where the calendar's 放假调休 comes from: the `chinesecalendar` package, and override files.

The package carries the State Council's notices up to the year it was released; a newer
year's notice is loaded as an override file (YAML, see docs/calendar.md) the day it is
published, without a release. An override for a year replaces the package's data for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import yaml

from .calendar import MAX_DATE, MIN_DATE, YearArrangement
from .errors import DomainError, gettext_noop

# chinesecalendar's English names, in the words of the State Council's notices (marked for
# translation: pages show them in the reader's language).
HOLIDAY_NAMES_ZH = {
    "New Year's Day": gettext_noop("元旦"),
    "Spring Festival": gettext_noop("春节"),
    "Tomb-sweeping Day": gettext_noop("清明节"),
    "Labour Day": gettext_noop("劳动节"),
    "Dragon Boat Festival": gettext_noop("端午节"),
    "National Day": gettext_noop("国庆节"),
    "Mid-autumn Festival": gettext_noop("中秋节"),
    "Anti-Fascist 70th Day": gettext_noop("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
}


class ArrangementError(DomainError):
    """An override file is malformed; the message names the file and the line."""

    code = "calendar_error"


@lru_cache(maxsize=1)
def statutory_arrangements() -> tuple[YearArrangement, ...]:
    """Every year the installed `chinesecalendar` knows, as arrangements with Chinese names."""
    # The published arrangements load only when a calendar is built.
    from chinese_calendar.constants import holidays, workdays

    by_year: dict[int, tuple[dict, dict]] = {}
    for d, name in holidays.items():
        by_year.setdefault(d.year, ({}, {}))[0][d] = HOLIDAY_NAMES_ZH.get(name, name)
    for d, name in workdays.items():
        by_year.setdefault(d.year, ({}, {}))[1][d] = HOLIDAY_NAMES_ZH.get(name, name)
    return tuple(
        YearArrangement(year=y, holidays=h, makeup_workdays=w, source="chinesecalendar")
        for y, (h, w) in sorted(by_year.items())
    )


def merge_arrangements(
    base: Iterable[YearArrangement], overrides: Iterable[YearArrangement]
) -> tuple[YearArrangement, ...]:
    """The base arrangements with each overridden year replaced by its override."""
    years: dict[int, YearArrangement] = {a.year: a for a in base}
    for override in overrides:
        years[override.year] = override
    return tuple(years[y] for y in sorted(years))


@dataclass(frozen=True, slots=True)
class _Located:
    value: object
    line: int


def _node_value(node, source: str):
    """Plain Python values from a YAML node, keeping line numbers on mappings' values."""
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            out[key_node.value] = _Located(
                _node_value(value_node, source), key_node.start_mark.line + 1
            )
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_Located(_node_value(n, source), n.start_mark.line + 1) for n in node.value]
    if node.tag.endswith(":null") or node.value in ("", "~", "null"):
        return None
    return node.value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(located: _Located, where: str) -> dt.date:
    raw = located.value
    text = raw if isinstance(raw, str) else ""
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        shown = text or ("空" if raw is None else "列表或映射")
        raise ArrangementError(
            f"{where}，第 {located.line} 行：“{shown}”不是日期（格式 YYYY-MM-DD）。"
        ) from None


def _unknown_keys(mapping: dict, allowed: set[str], where: str) -> None:
    for key, located in mapping.items():
        if key not in allowed:
            expected = "、".join(sorted(allowed))
            raise ArrangementError(
                f"{where}，第 {located.line} 行：不认识的字段“{key}”（可用：{expected}）。"
            )


def parse_arrangement(text: str, *, source: str = "<override>") -> YearArrangement:
    """Parse and validate one year's override file; errors name the file and the line.

    Rules: `year` is required; holiday ranges run start ≤ end; every date lies between
    1 December of the year before and 31 January of the year after (notices cover the New
    Year bridge); a make-up workday is a weekend day; no date is both a holiday and a
    make-up workday; no date is listed twice.
    """
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行：" if mark else ""
        raise ArrangementError(f"{source}，{line}YAML 格式错误。") from exc
    if not isinstance(root, yaml.MappingNode):
        raise ArrangementError(f"{source}：顶层应为映射（year、holidays、makeup_workdays）。")
    doc = _node_value(root, source)
    _unknown_keys(doc, {"year", "notice", "holidays", "makeup_workdays"}, source)
    if "year" not in doc:
        raise ArrangementError(f"{source}：缺少 year（年份）。")
    try:
        year = int(str(doc["year"].value))
    except ValueError:
        raise ArrangementError(f"{source}，第 {doc['year'].line} 行：year 应为年份数字。") from None
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise ArrangementError(f"{source}，第 {doc['year'].line} 行：年份 {year} 超出支持范围。")
    lo, hi = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
    notice = str(doc["notice"].value) if "notice" in doc and doc["notice"].value else ""

    holidays: dict[dt.date, str] = {}
    holiday_lines: dict[dt.date, int] = {}
    for item in _list(doc, "holidays", source):
        entry = _mapping(item, source, "holidays")
        where = f"{source}，第 {item.line} 行"
        _unknown_keys(entry, {"name", "start", "end"}, source)
        name = _text(entry, "name", where)
        start = _date(_require(entry, "start", where), source)
        end = _date(entry["end"], source) if "end" in entry else start
        if end < start:
            raise ArrangementError(f"{where}：{name} 的结束日期早于开始日期。")
        day = start
        while day <= end:
            _in_range(day, lo, hi, where, year)
            if day in holidays:
                raise ArrangementError(
                    f"{where}：{day.isoformat()} 已在第 {holiday_lines[day]} 行列为假日。"
                )
            holidays[day], holiday_lines[day] = name, item.line
            day += dt.timedelta(days=1)

    makeup: dict[dt.date, str] = {}
    for item in _list(doc, "makeup_workdays", source):
        entry = _mapping(item, source, "makeup_workdays")
        where = f"{source}，第 {item.line} 行"
        _unknown_keys(entry, {"date", "for"}, source)
        day = _date(_require(entry, "date", where), source)
        name = _text(entry, "for", where)
        _in_range(day, lo, hi, where, year)
        if day in holidays:
            raise ArrangementError(
                f"{where}：{day.isoformat()} 既是调休上班日又在第 {holiday_lines[day]} 行列为假日。"
            )
        if day in makeup:
            raise ArrangementError(f"{where}：调休上班日 {day.isoformat()} 重复。")
        if day.weekday() < 5:
            raise ArrangementError(f"{where}：{day.isoformat()} 是工作日，调休上班日应为周末。")
        makeup[day] = name
    if not holidays:
        # Every State Council notice has holidays; none means a typo that would silently turn
        # New Year, Spring Festival and National Day into working days.
        raise ArrangementError(f"{source}：{year} 年的放假安排中没有任何假日，请检查 holidays。")
    return YearArrangement(
        year=year, holidays=holidays, makeup_workdays=makeup, source=notice or source
    )


def _list(doc: Mapping, key: str, source: str) -> list:
    if key not in doc or doc[key].value is None:
        return []
    if not isinstance(doc[key].value, list):
        raise ArrangementError(f"{source}，第 {doc[key].line} 行：{key} 应为列表。")
    return doc[key].value


def _mapping(item: _Located, source: str, key: str) -> dict:
    if not isinstance(item.value, dict):
        raise ArrangementError(f"{source}，第 {item.line} 行：{key} 的每一项应为映射。")
    return item.value


def _require(entry: dict, key: str, where: str) -> _Located:
    if key not in entry or entry[key].value in (None, ""):
        raise ArrangementError(f"{where}：缺少 {key}。")
    return entry[key]


def _text(entry: dict, key: str, where: str) -> str:
    return str(_require(entry, key, where).value).strip()


def _in_range(day: dt.date, lo: dt.date, hi: dt.date, where: str, year: int) -> None:
    if not lo <= day <= hi:
        raise ArrangementError(f"{where}：{day.isoformat()} 不属于 {year} 年的放假安排。")
