"""The authorities' time limits and the firm's targets, and the dates every cited basis was checked.

A service names, for each authority it runs at, the legal time limit (法定时限) and, where the
firm knows it, the authority's own commitment (承诺时限) — each with the clause it comes from
(`basis`) and the day someone checked it (`verified_on`). These are the government's clock;
the firm's own standard and expedited durations (`targets`) are what the planner computes
from the steps, written down so a change to the steps that moves them is caught.

Limits run in working days (行政许可法第八十二条: licensing limits count working days), in
calendar days, or in months (商标法).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import CatalogError

if TYPE_CHECKING:
    from .catalog import Catalog

UNITS = ("workdays", "days", "months")


@dataclass(frozen=True, slots=True)
class Limit:
    """A time limit: `amount` units from `starts` (e.g. 受理之日起), extendable by `extension`."""

    amount: int
    unit: str
    basis: str
    verified_on: dt.date | None = None
    extension: int = 0
    starts: str = ""


@dataclass(frozen=True, slots=True)
class Authority:
    """An authority a service runs at (as its steps' track names it) and its time limits."""

    track: str
    legal: Limit | None = None
    committed: Limit | None = None
    note: str = ""  # e.g. 符合条件的当场登记


@dataclass(frozen=True, slots=True)
class Targets:
    """The firm's own durations in working days: the standard plan and the fully expedited one."""

    standard: int
    expedited: int


def verified_date(value: Any, where: str, *, required: bool) -> dt.date | None:
    """A `verified_on` value: a date, not after the year 2100; required in a strict catalog."""
    if value in (None, ""):
        if required:
            raise CatalogError(f"{where}: 缺少 verified_on（依据的核实日期，如 2026-12-04）。")
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise CatalogError(f"{where}.verified_on: 应为日期，如 2026-12-04。")
    return value


def _limit(value: Any, where: str, *, strict: bool) -> Limit | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: 应写作 {{workdays: N, basis: 依据, verified_on: 日期}}。")
    units = [u for u in UNITS if u in value]
    if len(units) != 1:
        raise CatalogError(f"{where}: 须且只能写一个时限单位：workdays、days 或 months。")
    unit = units[0]
    amount, extension = value[unit], value.get("extension", 0)
    for key, number in (("amount", amount), ("extension", extension)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise CatalogError(f"{where}.{unit if key == 'amount' else key}: 应为非负整数。")
    basis = str(value.get("basis") or "").strip()
    if not basis:
        raise CatalogError(f"{where}: 缺少 basis（时限须写明法规条款或公告）。")
    return Limit(
        amount=amount,
        unit=unit,
        basis=basis,
        verified_on=verified_date(value.get("verified_on"), where, required=strict),
        extension=extension,
        starts=str(value.get("starts") or ""),
    )


def parse_authorities(
    entry: dict, where: str, tracks: set[str], *, strict: bool
) -> tuple[Authority, ...]:
    value = entry.get("authorities") or []
    if not isinstance(value, list):
        raise CatalogError(f"{where}.authorities: 应为列表。")
    out: list[Authority] = []
    for item in value:
        if not isinstance(item, dict) or not item.get("track"):
            raise CatalogError(f"{where}.authorities: 每项须写明 track（办理机关）。")
        track = str(item["track"])
        at = f"{where}.authorities[{track}]"
        if track not in tracks:
            raise CatalogError(f"{at}.track: 服务的步骤中没有在“{track}”办理的。")
        legal = _limit(item.get("legal_limit"), f"{at}.legal_limit", strict=strict)
        committed = _limit(item.get("committed_limit"), f"{at}.committed_limit", strict=strict)
        if legal is None and committed is None and not item.get("note"):
            raise CatalogError(f"{at}: 须写明 legal_limit、committed_limit 或 note。")
        out.append(
            Authority(track=track, legal=legal, committed=committed, note=str(item.get("note", "")))
        )
    if len({a.track for a in out}) != len(out):
        raise CatalogError(f"{where}.authorities: 办理机关重复。")
    return tuple(out)


def parse_targets(entry: dict, where: str) -> Targets | None:
    value = entry.get("targets")
    if value is None:
        return None
    ok = (
        isinstance(value, dict)
        and set(value) == {"standard", "expedited"}
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value.values())
    )
    if not ok or value["expedited"] > value["standard"]:
        raise CatalogError(
            f"{where}.targets: 应写作 {{standard: 常规工作日, expedited: 加急工作日}}，"
            "加急不长于常规。"
        )
    return Targets(standard=value["standard"], expedited=value["expedited"])


# -- bases and their age ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cited:
    where: str
    basis: str
    verified_on: dt.date | None


def cited(catalog: Catalog) -> Iterator[Cited]:
    """Every rule, prerequisite, limit and application window the catalog states, with its
    basis and check date."""
    for service in catalog.services:
        at = f"services[{service.code}]"
        for p in service.prerequisites:
            yield Cited(f"{at}.prerequisites[{p.code}]", p.basis, p.verified_on)
        for step in service.steps:
            for index, w in enumerate(step.windows):
                yield Cited(f"{at}.steps[{step.code}].windows[{index}]", w.basis, w.verified_on)
        for a in service.authorities:
            for key, limit in (("legal_limit", a.legal), ("committed_limit", a.committed)):
                if limit is not None:
                    where = f"{at}.authorities[{a.track}].{key}"
                    yield Cited(where, limit.basis, limit.verified_on)
    for rule in catalog.rules:
        yield Cited(f"rules[{rule.code}]", rule.basis, rule.verified_on)


def unbased(catalog: Catalog) -> list[Cited]:
    """What the catalog states without a basis or without the date it was checked."""
    return [c for c in cited(catalog) if not c.basis.strip() or c.verified_on is None]


def stale(catalog: Catalog, today: dt.date, max_age_days: int) -> list[Cited]:
    """Bases last checked more than `max_age_days` before `today`, oldest first."""
    old = [
        c
        for c in cited(catalog)
        if c.verified_on is not None and (today - c.verified_on).days > max_age_days
    ]
    return sorted(old, key=lambda c: (c.verified_on, c.where))
