"""Social-insurance wage-base lower limits per city and period, and the check against them.

An employer pays social insurance on its employees' wages (《社会保险法》第十二条), within the
lower and upper limits of the contribution base each city (or province) publishes every year,
usually for a 社保年度 from 1 July (some provinces use the calendar year). The table
(`expedite/catalog/wage_minimums.yaml`) holds only figures whose notice was found: each row
names its `source` and the day someone checked it (`verified_on`).

A period includes both its ends. On a day outside every period of a city the lower limit is
not known here, and the check says so: it never carries a figure over to a year it was not
published for.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from . import yamltext
from .catalog_limits import verified_date
from .errors import CatalogError, gettext_noop
from .findings import WARNING, Finding, parse_amount
from .phrases import Phrase, Term, templates

ROW_KEYS = ("period", "minimum", "maximum", "source", "verified_on", "url")

BELOW = gettext_noop(
    "工资基数 %(amount)s 元低于%(city)s %(start)s 至 %(end)s 的最低缴费基数 %(minimum)s 元"
    "（%(source)s）。"
)
UNKNOWN = gettext_noop(
    "%(city)s %(date)s 适用的缴费基数下限在此未知：已录入的期间都不含这一天，最近的一期是 "
    "%(start)s 至 %(end)s（下限 %(minimum)s 元，%(source)s）。"
)
NO_RECORD = gettext_noop("%(city)s的缴费基数下限在此没有记录，%(date)s 适用的下限未知。")
NO_CITY = gettext_noop("没有填写参保城市，无法核对缴费基数下限。")

# Findings stored before 2026-12 carry these templates; kept so their English stays in the
# translation catalog.
STORED_MESSAGES = (
    gettext_noop("没有 %(city)s %(date)s 适用的缴费基数下限数据，请人工核对。"),
    gettext_noop(
        "工资基数 %(amount)s 元低于%(city)s最低缴费基数 %(minimum)s 元"
        "（%(start)s 起执行，%(source)s）。"
    ),
    gettext_noop(
        "工资基数 %(amount)s 元低于%(city)s最低缴费基数 %(minimum)s 元"
        "（%(start)s 起执行，新年度标准公布前按此核对，%(source)s）。"
    ),
)

templates(
    {
        "wages.known": gettext_noop(
            "%(city)s %(date)s 适用的缴费基数下限为 %(minimum)s 元"
            "（%(start)s 至 %(end)s，%(source)s）。"
        ),
        "wages.unknown": UNKNOWN,
        "wages.others": gettext_noop("其他城市的缴费基数下限在此没有记录。"),
    }
)


@dataclass(frozen=True, slots=True)
class WageMinimum:
    """A city's limits (元/月) from `start` to `end`, both included, as `source` publishes them."""

    city: str
    start: dt.date
    end: dt.date
    minimum: Decimal
    maximum: Decimal | None
    source: str  # the notice's name (and number)
    verified_on: dt.date  # the day someone checked the figure against the source
    url: str = ""  # where it was checked


def parse_wage_minimums(text: str, *, source: str = "<wage minimums>") -> tuple[WageMinimum, ...]:
    """The file's `cities`: every row with its period, minimum, source and `verified_on`;
    periods of a city may not overlap. Sorted by city and start."""
    try:
        doc = yamltext.load(text) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: 格式不正确（{exc}）。") from exc
    cities = doc.get("cities") if isinstance(doc, dict) else None
    if not isinstance(cities, dict):
        raise CatalogError(f"{source}: 应有 cities：城市 → 各期缴费基数上下限的列表。")
    rows = []
    for city, periods in cities.items():
        if not isinstance(periods, list) or not periods:
            raise CatalogError(f"{source}: cities.{city}: 应为各期上下限的列表。")
        rows += [_row(str(city), p, source) for p in periods]
    rows.sort(key=lambda w: (w.city, w.start))
    for a, b in itertools.pairwise(rows):
        if a.city == b.city and b.start <= a.end:
            raise CatalogError(
                f"{source}: {a.city} 的期间重叠：{_span(a)} 与 {_span(b)}，同一天只能有一个下限。"
            )
    return tuple(rows)


def _span(w: WageMinimum) -> str:
    return f"{w.start.isoformat()} 至 {w.end.isoformat()}"


def _row(city: str, p: Any, source: str) -> WageMinimum:
    where = f"{source}: cities.{city}"
    if not isinstance(p, dict):
        raise CatalogError(
            f"{where}: 每一期应写作 {{period: {{from: 日期, to: 日期}}, minimum: 金额, "
            "source: 通知名称和文号, verified_on: 核实日期}。"
        )
    period = p.get("period")
    start, end = (period.get("from"), period.get("to")) if isinstance(period, dict) else (0, 0)
    if not (_is_date(start) and _is_date(end)) or end < start:
        raise CatalogError(
            f"{where}: period 应写作 {{from: 起始日期, to: 截止日期}}，截止不早于起始。"
        )
    where = f"{source}: {city} {start.isoformat()} 至 {end.isoformat()}"
    if "confirmed" in p:
        raise CatalogError(
            f"{where}: 不再使用 confirmed：只收录找得到出处的数字（写明 source 和 verified_on），"
            "找不到出处的不写入。"
        )
    unknown = [k for k in p if k not in ROW_KEYS]
    if unknown:
        names, allowed = "、".join(map(str, unknown)), "、".join(ROW_KEYS)
        raise CatalogError(f"{where}: 不认识的字段 {names}（可用：{allowed}）。")
    cited = p.get("source")
    if not isinstance(cited, str) or not cited.strip():
        raise CatalogError(
            f"{where}: 缺少 source（公布这一数字的通知名称和文号）；找不到出处的数字不要写入。"
        )
    url = p.get("url") or ""
    if not isinstance(url, str) or (url and not url.startswith(("https://", "http://"))):
        raise CatalogError(f"{where}.url: 应为 http(s) 网址。")
    minimum = _yuan(p.get("minimum"), f"{where}.minimum")
    maximum = None if p.get("maximum") is None else _yuan(p["maximum"], f"{where}.maximum")
    if maximum is not None and maximum < minimum:
        raise CatalogError(f"{where}: 上限 {maximum} 低于下限 {minimum}。")
    return WageMinimum(
        city=city,
        start=start,
        end=end,
        minimum=minimum,
        maximum=maximum,
        source=cited.strip(),
        verified_on=verified_date(p.get("verified_on"), where, required=True),
        url=url,
    )


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _yuan(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CatalogError(f"{where}: 应为正数金额（元/月）。")
    amount = Decimal(str(value))
    if not amount.is_finite() or amount <= 0:
        raise CatalogError(f"{where}: 应为正数金额（元/月）。")
    return amount


def parse_wage_english(text: str, *, source: str = "<wage minimums>") -> dict[str, str]:
    """The file's `english` section: its cities and sources in English (Chinese → English)."""
    try:
        english = (yamltext.load(text) or {}).get("english") or {}
    except (yaml.YAMLError, AttributeError) as exc:
        raise CatalogError(f"{source}: 格式不正确（{exc}）。") from exc
    if not isinstance(english, dict):
        raise CatalogError(f"{source}: english 应为“中文: English”的映射。")
    return {str(k): str(v) for k, v in english.items() if v not in (None, "")}


def missing_wage_english(table: tuple[WageMinimum, ...], english: dict[str, str]) -> list[str]:
    """The cities and sources shown to readers that `english` does not translate."""
    shown = dict.fromkeys(text for w in table for text in (w.city, w.source))
    return [text for text in shown if text and text not in english]


def wage_minimum_for(table: tuple[WageMinimum, ...], city: str, on: dt.date) -> WageMinimum | None:
    """The limits in force in `city` on `on`: the period containing it (both ends included).

    None outside every period of the city: the limit of that day is not known here. Nothing is
    carried over from a neighbouring period.
    """
    return next((w for w in table if w.city == city and w.start <= on <= w.end), None)


def nearest_period(table: tuple[WageMinimum, ...], city: str, on: dt.date) -> WageMinimum | None:
    """For a day no period of `city` contains, the period to name beside "unknown": the last
    one ended before it, else (a day before them all) the first. None for a city not in the
    table."""
    rows = [w for w in table if w.city == city]
    earlier = [w for w in rows if w.end < on]
    if earlier:
        return max(earlier, key=lambda w: w.end)
    return min(rows, key=lambda w: w.start, default=None)


def _money(amount: Decimal) -> str:
    return f"{amount:,}"


def _period_params(w: WageMinimum) -> dict[str, str]:
    return {
        "start": w.start.isoformat(),
        "end": w.end.isoformat(),
        "minimum": _money(w.minimum),
        "source": w.source,
    }


def check_wage_base(
    value: Any, *, city: str, on: dt.date, table: tuple[WageMinimum, ...]
) -> list[Finding]:
    """A declared social-insurance wage base against the city's lower limit on `on`.

    Under the limit of the period containing `on`: an error naming the period and its source.
    No city, a city without any figure here, or a day outside every period of the city: a
    warning that says the limit is unknown (naming the nearest period and its source).
    """
    amount = parse_amount(value)
    if amount is None or amount <= 0:
        return [
            Finding(
                "amount_format", gettext_noop("缴费基数应为正数金额（元）。"), field="wage_base"
            )
        ]
    if not city:
        return [Finding("wage_city_missing", NO_CITY, severity=WARNING, field="wage_base")]
    limit = wage_minimum_for(table, city, on)
    if limit is None:
        nearest = nearest_period(table, city, on)
        if nearest is None:
            return [
                Finding(
                    "wage_table_missing",
                    NO_RECORD,
                    {"city": city, "date": on.isoformat()},
                    severity=WARNING,
                    field="wage_base",
                )
            ]
        return [
            Finding(
                "wage_minimum_unknown",
                UNKNOWN,
                {"city": city, "date": on.isoformat(), **_period_params(nearest)},
                severity=WARNING,
                field="wage_base",
            )
        ]
    if amount < limit.minimum:
        return [
            Finding(
                "wage_base_below_minimum",
                BELOW,
                {"amount": f"{amount:,.2f}", "city": city, **_period_params(limit)},
                field="wage_base",
            )
        ]
    return []


def wage_minimums_on(table: tuple[WageMinimum, ...], on: dt.date) -> tuple[Phrase, ...]:
    """What is known here of each city's lower limit on `on`, one phrase per city (the figure
    with its period and source, or that it is unknown and the nearest period), then that other
    cities have none."""
    said = []
    for city in sorted({w.city for w in table}):
        limit = wage_minimum_for(table, city, on)
        # A city of the table has rows, so a period to name either way.
        w = limit or nearest_period(table, city, on)
        params = {**_period_params(w), "city": Term(city), "date": on.isoformat()}
        params["source"] = Term(w.source)
        said.append(Phrase("wages.unknown" if limit is None else "wages.known", params))
    said.append(Phrase("wages.others"))
    return tuple(said)
