"""What `expedite catalog check` and `load` require of a catalog file beyond its format.

Every service says where it is decided and on what clock (its `authorities`), and what the
firm promises (`targets`), and the targets must be what the steps give: a step edited without
its target being revisited is caught here rather than in a client's quote. Bases must be dated;
`stale` lists those not checked within the firm's chosen age (a warning, not a refusal).
"""

from __future__ import annotations

import datetime as dt

from .catalog import Catalog
from .errors import CatalogError
from .planning import nominal_workdays


def incomplete(catalog: Catalog, day: dt.timedelta) -> list[str]:
    """Problems, in Chinese, each naming the service: missing limits or targets, or targets
    that differ from what the plan computes with no lever and with every lever."""
    problems = []
    for service in catalog.services:
        at = f"services[{service.code}]"
        if not service.authorities:
            problems.append(f"{at}.authorities: 缺少办理机关及其法定时限（或说明）。")
        if service.targets is None:
            problems.append(f"{at}.targets: 缺少本所的常规和加急工作日。")
            continue
        standard = nominal_workdays(service, day)
        expedited = nominal_workdays(service, day, service.levers)
        if (standard, expedited) != (service.targets.standard, service.targets.expedited):
            problems.append(
                f"{at}.targets: 写的是常规 {service.targets.standard}、加急 "
                f"{service.targets.expedited} 个工作日，按步骤计算为常规 {standard}、"
                f"加急 {expedited} 个工作日。"
            )
    return problems


def check_complete(catalog: Catalog, source: str, day: dt.timedelta) -> None:
    problems = incomplete(catalog, day)
    if problems:
        more = f"另有 {len(problems) - 1} 处。" if len(problems) > 1 else ""
        raise CatalogError(f"{source}: {problems[0]}{more}", field="targets")


_UNITS = {"workdays": "个工作日", "days": "日", "months": "个月"}


def _limit(limit) -> str:
    text = f"{limit.starts} {limit.amount} {_UNITS[limit.unit]}".strip()
    if limit.extension:
        text += f"（可延长 {limit.extension} {_UNITS[limit.unit]}）"
    return f"{text}；{limit.basis}（{limit.verified_on:%Y-%m-%d} 核实）"


def limits_table(catalog: Catalog) -> str:
    """Every service with its authorities' limits and the firm's targets, as a Markdown
    table (docs/catalog.md carries it; `expedite catalog table` prints it for a firm's file)."""
    rows = [
        "| 服务 | 本所常规 → 加急（工作日） | 办理机关 | 法定时限与依据 | 说明 |",
        "|---|---|---|---|---|",
    ]
    for service in catalog.services:
        t = service.targets
        targets = f"{t.standard} → {t.expedited}" if t else "—"
        for index, a in enumerate(service.authorities or [None]):
            head = (service.name_zh, targets) if index == 0 else ("", "")
            if a is None:
                rows.append(f"| {head[0]} | {head[1]} | — | — | — |")
                continue
            legal = _limit(a.legal) if a.legal else "无统一规定"
            if a.committed:
                legal += f"；承诺：{_limit(a.committed)}"
            rows.append(f"| {head[0]} | {head[1]} | {a.track} | {legal} | {a.note or ''} |")
    return "\n".join(rows) + "\n"
