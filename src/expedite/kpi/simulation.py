"""The yearly simulation on the KPI page: its result checked, stored once, and read back.

`benchmarks/firm_year.py` simulates a year of the firm with the product in the loop and, for
comparison, under three plain policies (first come first served, earliest deadline first, no
expediting levers). It writes one JSON document; this module checks its shape, keeps it as a
`SimulationRun` (one per seed and run time) and turns the newest into the figures the page
shows. The file shipped with the package (`firm_year_seed1.json`) is the demo's.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from importlib import resources

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
from expedite.domain.errors import ValidationFailed, gettext_noop

from .models import SimulationRun

PACKAGED_RESULT = "firm_year_seed1.json"

# The policies in the order the page shows them, the product first.
POLICIES = {
    # The product among the policies: "Expedite" in English, not the desk's full name.
    "product": pgettext_lazy("simulation policy", "加急服务台"),
    "fcfs": _("先到先办"),
    "edf": _("最早截止优先"),
    # The same order with a manager's daily re-balancing of who does what.
    "edf_rebalanced": _("最早截止优先（每日均衡分工）"),
    "no_levers": _("不用加急手段"),
}
TOP_INTEGERS = ("seed", "year")
TOP_FIGURES = ("staff", "cases", "urgent", "wall_seconds", "surcharge_reference")
GOAL_FIGURES = ("kept_share", "warned_ahead_days")
POLICY_FIGURES = (
    "promises",
    "kept",
    "urgent_promises",
    "urgent_kept",
    "misses",
    "false_urgency",
    "overtime_hours",
)
# Null where the policy has no such thing: only the product warns clients or spots 假急, and
# a policy that used no expediting lever charged no surcharge.
POLICY_NULLABLE = (
    "surcharge_share",
    "misses_warned",
    "misses_warned_ahead",
    "misses_unwarned",
    "false_urgency_caught",
)
# (part, whole): a part larger than its whole means the file is not what the benchmark wrote.
POLICY_PARTS = (
    ("kept", "promises"),
    ("urgent_kept", "urgent_promises"),
    ("misses_warned", "misses"),
    ("misses_warned_ahead", "misses"),
    ("misses_unwarned", "misses"),
    ("false_urgency_caught", "false_urgency"),
)
LABEL_MAX = 64


@dataclass(frozen=True)
class RunKey:
    """What tells one run from another: the same seed and run time is the same run."""

    label: str
    seed: int
    ran_at: dt.datetime


def _missing(key: str) -> ValidationFailed:
    return ValidationFailed(
        gettext_noop("模拟结果缺少“%(key)s”。"), field="result", params={"key": key}
    )


def _mapping(value, key: str) -> dict:
    if not isinstance(value, dict):
        raise ValidationFailed(
            gettext_noop("模拟结果中的“%(key)s”应为 JSON 对象。"),
            field="result",
            params={"key": key},
        )
    return value


def _item(mapping: dict, key: str, path: str):
    if key not in mapping:
        raise _missing(path)
    return mapping[key]


def _figure(value, key: str, *, nullable: bool = False) -> float | None:
    """A figure of the result: a finite number not below 0 (JSON true/false is not one)."""
    if value is None and nullable:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValidationFailed(
            gettext_noop("模拟结果中的“%(key)s”应为不小于 0 的数字。"),
            field="result",
            params={"key": key},
        )
    return value


def _integer(value, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(
            gettext_noop("模拟结果中的“%(key)s”应为整数。"), field="result", params={"key": key}
        )
    return value


def _ran_at(value) -> dt.datetime:
    try:
        ran_at = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        ran_at = None
    if ran_at is None or ran_at.tzinfo is None:
        raise ValidationFailed(
            gettext_noop(
                "模拟结果中的“ran_at”应为带时区的时间（ISO 8601），例如 2026-12-05T18:00:00+00:00。"
            ),
            field="result",
        )
    return ran_at


def _check_policy(policy: dict, name: str) -> None:
    for key in POLICY_FIGURES:
        path = f"policies.{name}.{key}"
        _figure(_item(policy, key, path), path)
    for key in POLICY_NULLABLE:
        path = f"policies.{name}.{key}"
        _figure(_item(policy, key, path), path, nullable=True)
    path = f"policies.{name}.warning_lead_days"
    lead_days = _item(policy, "warning_lead_days", path)
    if not isinstance(lead_days, list):
        raise ValidationFailed(
            gettext_noop("模拟结果中的“%(key)s”应为列表。"), field="result", params={"key": path}
        )
    # Days ahead of the deadline each miss was warned (null: never); not shown, only checked.
    for days in lead_days:
        if days is not None and (
            isinstance(days, bool) or not isinstance(days, int | float) or not math.isfinite(days)
        ):
            raise ValidationFailed(
                gettext_noop("模拟结果中的“%(key)s”应为数字或 null 的列表。"),
                field="result",
                params={"key": path},
            )
    for part, whole in POLICY_PARTS:
        if policy[part] is not None and policy[part] > policy[whole]:
            raise ValidationFailed(
                gettext_noop("模拟结果中的“%(part)s”（%(value)s）大于“%(whole)s”（%(total)s）。"),
                field="result",
                params={
                    "part": f"policies.{name}.{part}",
                    "value": policy[part],
                    "whole": f"policies.{name}.{whole}",
                    "total": policy[whole],
                },
            )


def check_result(result) -> RunKey:
    """Check a result has the shape `benchmarks/firm_year.py` writes:
    every key present, every figure a number not below 0 (null only where the schema allows
    it), no part larger than its whole. Keys it does not know are kept and not read.

    Raises `ValidationFailed` naming the first key that is wrong.
    """
    if not isinstance(result, dict):
        raise ValidationFailed(gettext_noop("模拟结果应为一个 JSON 对象。"), field="result")
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError):
        raise ValidationFailed(
            gettext_noop("模拟结果不是有效的 JSON 数据。"), field="result"
        ) from None
    label = _item(result, "label", "label")
    if not isinstance(label, str) or not label.strip() or len(label) > LABEL_MAX:
        raise ValidationFailed(
            gettext_noop("模拟结果中的“label”应为 1 到 %(max)s 个字符的文字。"),
            field="result",
            params={"max": LABEL_MAX},
        )
    for key in TOP_INTEGERS:
        _integer(_item(result, key, key), key)
    for key in TOP_FIGURES:
        _figure(_item(result, key, key), key)
    ran_at = _ran_at(_item(result, "ran_at", "ran_at"))
    policies = _mapping(_item(result, "policies", "policies"), "policies")
    for name in POLICIES:
        _check_policy(_mapping(_item(policies, name, f"policies.{name}"), f"policies.{name}"), name)
    goals = _mapping(_item(result, "goals", "goals"), "goals")
    for key in GOAL_FIGURES:
        _figure(_item(goals, key, f"goals.{key}"), f"goals.{key}")
    # Whole working days: the page says "N working days", which a fraction would not fit.
    if not float(goals["warned_ahead_days"]).is_integer():
        _integer(goals["warned_ahead_days"], "goals.warned_ahead_days")
    return RunKey(label=label.strip(), seed=result["seed"], ran_at=ran_at)


def packaged_result() -> dict:
    """The result shipped with the package, which the demo loads."""
    text = resources.files(__package__).joinpath(PACKAGED_RESULT).read_text(encoding="utf-8")
    return json.loads(text)


@transaction.atomic
def simulation_load(*, result: dict, source: str = "") -> SimulationRun:
    """Keep a simulation's result, once: a result with the seed and run time of one already
    kept is not stored again (nor audited), and the kept row is returned. `source` (the file's
    name) goes into the audit record. Raises `ValidationFailed` for a result of another shape,
    having stored nothing."""
    key = check_result(result)
    run, created = SimulationRun.objects.get_or_create(
        seed=key.seed, ran_at=key.ran_at, defaults={"label": key.label, "result": result}
    )
    run.stored_now = created
    if created:
        audit_record(
            kind=AuditKind.KPI_SIMULATION_LOADED,
            payload={
                "run": run.pk,
                "label": key.label,
                "seed": key.seed,
                "year": result["year"],
                "ran_at": key.ran_at.isoformat(),
                "source": source,
            },
        )
    return run


def simulation_latest() -> SimulationRun | None:
    """The newest run by the time it ran (not by when it was loaded)."""
    return SimulationRun.objects.order_by("-ran_at", "-pk").first()


def _count(value: float | None) -> float | int | None:
    """1840.0 reads as 1840: the benchmark may write counts as floats."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _share(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


@dataclass(frozen=True)
class PolicyFigures:
    key: str
    name: str
    promises: float
    kept: float
    kept_share: float | None  # None: no promise was made
    urgent_promises: float
    urgent_kept: float
    urgent_share: float | None
    misses: float
    misses_warned_ahead: float | None  # None: the policy does not warn clients
    misses_unwarned: float | None
    false_urgency: float
    false_urgency_caught: float | None  # None: the policy does not look for 假急
    overtime_hours: float
    surcharge_share: float | None  # None: no case was expedited, so none was charged for it


@dataclass(frozen=True)
class SimulationFigures:
    """What the simulation tab shows of one run, with the three goals met or not."""

    run: SimulationRun
    year: int
    staff: float
    cases: float
    urgent: float
    surcharge_reference: float
    goal_kept_share: float
    goal_warned_ahead_days: float
    policies: tuple[PolicyFigures, ...]
    kept_goal_met: bool
    warned_goal_met: bool
    fewer_misses_than_edf: bool


def _policy(key: str, p: dict) -> PolicyFigures:
    return PolicyFigures(
        key=key,
        name=str(POLICIES[key]),
        promises=_count(p["promises"]),
        kept=_count(p["kept"]),
        kept_share=_share(p["kept"], p["promises"]),
        urgent_promises=_count(p["urgent_promises"]),
        urgent_kept=_count(p["urgent_kept"]),
        urgent_share=_share(p["urgent_kept"], p["urgent_promises"]),
        misses=_count(p["misses"]),
        misses_warned_ahead=_count(p["misses_warned_ahead"]),
        misses_unwarned=_count(p["misses_unwarned"]),
        false_urgency=_count(p["false_urgency"]),
        false_urgency_caught=_count(p["false_urgency_caught"]),
        overtime_hours=p["overtime_hours"],
        surcharge_share=p["surcharge_share"],
    )


def simulation_figures(run: SimulationRun) -> SimulationFigures:
    """The page's figures of a stored run (checked when it was loaded).

    The goals, as the benchmark states them: the product keeps at least `goals.kept_share` of
    its promises; every promise it misses was warned at least `goals.warned_ahead_days`
    working days ahead; it misses fewer than earliest-deadline-first does.
    """
    r = run.result
    policies = tuple(_policy(key, r["policies"][key]) for key in POLICIES)
    product, edf = policies[0], policies[2]
    goals = r["goals"]
    # A hair of tolerance: 0.99 has no exact binary value, and 99 of 100 meets a 99% goal.
    kept_met = product.kept_share is not None and product.kept_share >= goals["kept_share"] - 1e-9
    warned_met = product.misses == 0 or (
        product.misses_warned_ahead is not None and product.misses_warned_ahead >= product.misses
    )
    return SimulationFigures(
        run=run,
        year=r["year"],
        staff=_count(r["staff"]),
        cases=_count(r["cases"]),
        urgent=_count(r["urgent"]),
        surcharge_reference=r["surcharge_reference"],
        goal_kept_share=goals["kept_share"],
        goal_warned_ahead_days=_count(goals["warned_ahead_days"]),
        policies=policies,
        kept_goal_met=kept_met,
        warned_goal_met=warned_met,
        fewer_misses_than_edf=product.misses < edf.misses,
    )
