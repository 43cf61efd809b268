"""Social-insurance wage-base lower limits per city and period, and the check against them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml

from . import yamltext
from .errors import CatalogError, gettext_noop
from .findings import WARNING, Finding, parse_amount


@dataclass(frozen=True, slots=True)
class WageMinimum:
    city: str
    start: dt.date
    end: dt.date
    minimum: int
    maximum: int | None
    confirmed: bool
    source: str


def parse_wage_minimums(text: str, *, source: str = "<wage minimums>") -> tuple[WageMinimum, ...]:
    try:
        doc = yamltext.load(text) or {}
        rows = []
        for city, periods in (doc.get("cities") or {}).items():
            for p in periods:
                start, end = p["period"]["from"], p["period"]["to"]
                if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
                    raise ValueError("period")
                rows.append(
                    WageMinimum(
                        city=str(city),
                        start=start,
                        end=end,
                        minimum=int(p["minimum"]),
                        maximum=int(p["maximum"]) if p.get("maximum") else None,
                        confirmed=bool(p.get("confirmed", False)),
                        source=str(p["source"]),
                    )
                )
    except (yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{source}: 格式不正确（{exc}）。") from exc
    return tuple(rows)


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
    """The limit in force on `on`; past the table's last period, that period's limit.

    Lower limits follow average wages and have only ever risen, so a base under the latest
    published one is under the (not yet entered) current one too.
    """
    current = next((w for w in table if w.city == city and w.start <= on <= w.end), None)
    if current is not None:
        return current
    earlier = [w for w in table if w.city == city and w.end < on]
    return max(earlier, key=lambda w: w.end, default=None)


def check_wage_base(
    value: Any, *, city: str, on: dt.date, table: tuple[WageMinimum, ...]
) -> list[Finding]:
    """A declared social-insurance wage base against the city's lower limit on that day."""
    amount = parse_amount(value)
    if amount is None or amount <= 0:
        return [
            Finding(
                "amount_format", gettext_noop("缴费基数应为正数金额（元）。"), field="wage_base"
            )
        ]
    limit = wage_minimum_for(table, city, on)
    if limit is None:
        return [
            Finding(
                "wage_table_missing",
                gettext_noop("没有 %(city)s %(date)s 适用的缴费基数下限数据，请人工核对。"),
                {"city": city or "—", "date": on.isoformat()},
                severity=WARNING,
                field="wage_base",
            )
        ]
    if amount < limit.minimum:
        # After the figure's period, until the new year's is published, it is still the one to
        # check against; the message says so.
        message = (
            gettext_noop(
                "工资基数 %(amount)s 元低于%(city)s最低缴费基数 %(minimum)s 元"
                "（%(start)s 起执行，%(source)s）。"
            )
            if on <= limit.end
            else gettext_noop(
                "工资基数 %(amount)s 元低于%(city)s最低缴费基数 %(minimum)s 元"
                "（%(start)s 起执行，新年度标准公布前按此核对，%(source)s）。"
            )
        )
        return [
            Finding(
                "wage_base_below_minimum",
                message,
                {
                    "amount": f"{amount:,.2f}",
                    "city": city,
                    "minimum": f"{limit.minimum:,}",
                    "start": limit.start.isoformat(),
                    "source": limit.source,
                },
                field="wage_base",
            )
        ]
    return []
