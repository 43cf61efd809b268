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
