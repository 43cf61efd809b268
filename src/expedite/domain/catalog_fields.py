"""Parsing pieces of the service catalog shared by its sections: codes, durations, materials
(with their validity data) and review checklists. `expedite.domain.catalog` puts them together.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .catalog_limits import verified_date
from .durations import Duration
from .errors import CatalogError

CODE_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")

MATERIAL_TYPES = ("pdf", "jpg", "png")
# Structured fields a submission may carry, checked by expedite.domain.materials.
MATERIAL_FIELDS = ("uscc", "id_number", "date", "wage_base", "amount")


@dataclass(frozen=True, slots=True)
class Material:
    code: str
    name: str
    required: bool = True
    accepted: tuple[str, ...] = MATERIAL_TYPES
    validity: str = ""  # what the reviewer checks, in words
    lead_time: Duration | None = None  # when a third party must produce it
    source: str = ""
    # Validity as data (validity: {note, fields, expires_within_days}): the fields the client
    # or staff enter with the file, and how soon a date counts as expiring.
    fields: tuple[str, ...] = ()
    expires_within_days: int | None = None
    agree_with: tuple[str, ...] = ()  # materials whose `amount` must equal this one's


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogError(f"{where}: 缺少必填字段 “{key}”。", field=key)
    return entry[key]


def _mapping(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: 应为映射。")
    return value


def _list(entry: dict, key: str, where: str) -> list:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise CatalogError(f"{where}.{key}: 应为列表。")
    return value


def _code(value: Any, where: str) -> str:
    code = str(value)
    if not CODE_RE.match(code):
        raise CatalogError(f"{where}: 代码“{code}”只能使用小写英文字母、数字和连字符。")
    return code


_WORKING = ("workdays", "hours")
_CALENDAR = ("days", "months")


def _duration(value: Any, where: str) -> Duration:
    """A duration: working time ({workdays: N}, {hours: N} or both) or an authority's calendar
    time ({days: N} natural days, or {months: N}) — one kind, whole days or months."""
    if not isinstance(value, dict) or not value or not set(value) <= {*_WORKING, *_CALENDAR}:
        raise CatalogError(
            f"{where}: 时长应写作 {{workdays: N}}、{{hours: N}}，或机关的自然日 {{days: N}}、"
            "{months: N}。"
        )
    if set(value) & set(_WORKING) and set(value) & set(_CALENDAR):
        raise CatalogError(f"{where}: 工作日/小时与自然日/月不能混写在一个时长里。")
    if set(value) == set(_CALENDAR):
        raise CatalogError(f"{where}: 自然日与月不能混写，请只写 days 或 months。")
    for key in _CALENDAR:
        if key in value and (isinstance(value[key], bool) or not isinstance(value[key], int)):
            raise CatalogError(f"{where}.{key}: 应为正整数。")
    try:
        duration = Duration(
            workdays=float(value.get("workdays", 0)),
            hours=float(value.get("hours", 0)),
            days=value.get("days", 0),
            months=value.get("months", 0),
        )
    except (TypeError, ValueError):
        raise CatalogError(f"{where}: 时长应为数字。") from None
    negative = min(duration.workdays, duration.hours, duration.days, duration.months) < 0
    if negative or not duration.is_positive():
        raise CatalogError(f"{where}: 时长必须大于零。")
    return duration


def _material(m: Any, where: str) -> Material:
    m = _mapping(m, f"{where}.materials")
    mcode = _code(_require(m, "code", f"{where}.materials"), f"{where}.materials.code")
    mwhere = f"{where}.materials[{mcode}]"
    accepted = m.get("accepted") or MATERIAL_TYPES
    if not isinstance(accepted, list | tuple) or not set(map(str, accepted)) <= set(MATERIAL_TYPES):
        raise CatalogError(f"{mwhere}.accepted: 只能是 {'、'.join(MATERIAL_TYPES)} 中的类型。")
    validity = m.get("validity", "")
    rules: dict = {}
    if isinstance(validity, dict):
        rules = validity
        unknown = set(rules) - {"note", "fields", "expires_within_days"}
        if unknown:
            raise CatalogError(
                f"{mwhere}.validity: 未知的键 {'、'.join(sorted(map(str, unknown)))}"
                "（可用 note、fields、expires_within_days）。"
            )
        validity = rules.get("note", "")
    fields = rules.get("fields") or []
    if not isinstance(fields, list) or not set(map(str, fields)) <= set(MATERIAL_FIELDS):
        raise CatalogError(f"{mwhere}.validity.fields: 只能是 {'、'.join(MATERIAL_FIELDS)}。")
    days = rules.get("expires_within_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
        raise CatalogError(f"{mwhere}.validity.expires_within_days: 应为非负整数（天）。")
    if days is not None and "date" not in fields:
        raise CatalogError(f"{mwhere}.validity.expires_within_days: 需要在 fields 中列出 date。")
    agree = m.get("agree_with") or []
    if not isinstance(agree, list):
        raise CatalogError(f"{mwhere}.agree_with: 应为材料代码列表。")
    return Material(
        code=mcode,
        name=str(_require(m, "name", mwhere)),
        required=bool(m.get("required", True)),
        accepted=tuple(str(a) for a in accepted),
        validity=str(validity),
        lead_time=_duration(m["lead_time"], f"{mwhere}.lead_time") if m.get("lead_time") else None,
        source=str(m.get("source", "")),
        fields=tuple(str(f) for f in fields),
        expires_within_days=days,
        agree_with=tuple(str(a) for a in agree),
    )


def _check_materials(materials: list[Material], where: str) -> None:
    codes = [m.code for m in materials]
    if len(set(codes)) != len(codes):
        raise CatalogError(f"{where}.materials: 材料代码重复。")
    by_code = {m.code: m for m in materials}
    for m in materials:
        for other in m.agree_with:
            mwhere = f"{where}.materials[{m.code}].agree_with"
            if other not in by_code or other == m.code:
                raise CatalogError(f"{mwhere}: 材料“{other}”不存在。")
            if "amount" not in m.fields or "amount" not in by_code[other].fields:
                raise CatalogError(f"{mwhere}: 两份材料的 validity.fields 都须包含 amount。")


CHECK_ITEM_MAX = 100


def _checklist(
    entry: dict, where: str, *, required: bool, key: str = "checklist"
) -> tuple[str, ...]:
    """A review checklist (`key`): non-empty, unique items; each error names the item's index."""
    raw = entry.get(key)
    if raw in (None, "", []):
        if required:
            raise CatalogError(f"{where}.{key}: 缺少复核清单，至少需要一个检查项。", field=key)
        return ()
    if not isinstance(raw, list):
        raise CatalogError(f"{where}.{key}: 应为检查项（文字）的列表。", field=key)
    items: list[str] = []
    for index, item in enumerate(raw):
        at = f"{where}.{key}[{index}]"
        if not isinstance(item, str) or not item.strip():
            raise CatalogError(f"{at}: 第 {index + 1} 项应为非空文字。", field=key)
        item = " ".join(item.split())
        if len(item) > CHECK_ITEM_MAX:
            raise CatalogError(
                f"{at}: 第 {index + 1} 项过长（最多 {CHECK_ITEM_MAX} 字）。", field=key
            )
        if item in items:
            raise CatalogError(
                f"{at}: 检查项“{item}”与第 {items.index(item) + 1} 项重复。", field=key
            )
        items.append(item)
    return tuple(items)


@dataclass(frozen=True, slots=True)
class Window:
    """An application window (申报批次): the authority accepts the step from `opens` to
    `closes`, both days included, as the notice named in `basis` says.

    `expected`: not announced yet — the firm's expectation from earlier years' batches; a plan
    dated from it is provisional until the year's notice confirms it.
    """

    opens: dt.date
    closes: dt.date
    basis: str
    verified_on: dt.date | None = None
    expected: bool = False


def _windows(entry: dict, where: str, *, strict: bool) -> tuple[Window, ...]:
    """A step's `windows`: [{from, to, basis, verified_on, expected}], in date order and not
    overlapping; each names its notice (or, when expected, what the expectation rests on)."""
    raw = entry.get("windows")
    if raw in (None, []):
        return ()
    if not isinstance(raw, list):
        raise CatalogError(f"{where}.windows: 应为申报批次的列表。", field="windows")
    out: list[Window] = []
    for index, item in enumerate(raw):
        at = f"{where}.windows[{index}]"
        if not isinstance(item, dict):
            raise CatalogError(f"{at}: 应写作 {{from: 日期, to: 日期, basis: 依据}}。")
        unknown = set(item) - {"from", "to", "basis", "verified_on", "expected"}
        if unknown:
            raise CatalogError(
                f"{at}: 未知的键 {'、'.join(sorted(map(str, unknown)))}"
                "（可用 from、to、basis、verified_on、expected）。"
            )
        opens, closes = item.get("from"), item.get("to")
        for key, value in (("from", opens), ("to", closes)):
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise CatalogError(f"{at}.{key}: 应为日期，如 2026-04-30。")
        if closes < opens:
            raise CatalogError(f"{at}: 截止日期 {closes} 早于开始日期 {opens}。")
        basis = str(item.get("basis") or "").strip()
        if not basis:
            raise CatalogError(f"{at}: 缺少 basis（申报批次须写明通知，或预计的依据）。")
        expected = item.get("expected", False)
        if not isinstance(expected, bool):
            raise CatalogError(f"{at}.expected: 应为 true 或 false。")
        if out and opens <= out[-1].closes:
            raise CatalogError(f"{at}: 申报批次应按日期先后排列且互不重叠。")
        out.append(
            Window(
                opens=opens,
                closes=closes,
                basis=basis,
                verified_on=verified_date(item.get("verified_on"), at, required=strict),
                expected=expected,
            )
        )
    return tuple(out)


@dataclass(frozen=True, slots=True)
class StepTemplate:
    code: str
    name: str
    duration: Duration
    role: str
    skill: str
    track: str
    milestone: str = ""
    depends_on: tuple[str, ...] = ()
    when: str = ""  # included only when this fact holds (e.g. a likely rejection)
    # Accepted only within these application windows (申报批次), in date order.
    windows: tuple[Window, ...] = ()


def _check_dag(steps: list[StepTemplate], where: str) -> None:
    known = {s.code for s in steps}
    for s in steps:
        for d in s.depends_on:
            if d not in known:
                raise CatalogError(f"{where}.steps[{s.code}].depends_on: 未知步骤“{d}”。")
    graph = {s.code: s.depends_on for s in steps}
    state: dict[str, int] = {}

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            cycle = " → ".join([*path[path.index(code) :], code])
            raise CatalogError(f"{where}.steps: 步骤依赖成环：{cycle}。")
        state[code] = 1
        for d in graph[code]:
            visit(d, [*path, code])
        state[code] = 2

    for code in graph:
        visit(code, [])
