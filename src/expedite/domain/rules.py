"""Compliance rules: red lines that refuse a request, and requirements that must hold first.

Rules are data in the catalog (`rules:` in services.yaml), each citing its legal basis. A rule
fires when all its conditions hold on the case's facts. Kinds:

- `refuse`: the request crosses a red line; the rule gives the reason, the basis and a
  compliant alternative (another service, or steps with durations) — never a flat no;
- `require`: something must hold first; the rule names the service prerequisite whose remedy
  steps come first, or the material that must be produced (with its lead time).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .catalog_fields import StepTemplate
from .catalog_limits import verified_date
from .errors import CatalogError


class RuleKind(enum.StrEnum):
    REFUSE = "refuse"
    REQUIRE = "require"


OPS = ("eq", "ne", "lt", "le", "gt", "ge", "is_true", "is_false")


@dataclass(frozen=True, slots=True)
class Condition:
    fact: str
    op: str
    value: Any = None  # a constant, or {"fact": name} to compare with another fact

    def holds(self, facts: Mapping[str, Any]) -> bool | None:
        """True/False, or None when a fact it needs is not known."""
        if self.fact not in facts:
            return None
        left = facts[self.fact]
        if self.op == "is_true":
            return left is True
        if self.op == "is_false":
            return left is False
        right = self.value
        if isinstance(right, dict) and "fact" in right:
            if right["fact"] not in facts:
                return None
            right = facts[right["fact"]]
        try:
            return {
                "eq": left == right,
                "ne": left != right,
                "lt": left < right,
                "le": left <= right,
                "gt": left > right,
                "ge": left >= right,
            }[self.op]
        except TypeError:
            return None

    def needs(self) -> list[str]:
        extra = (
            [self.value["fact"]] if isinstance(self.value, dict) and "fact" in self.value else []
        )
        return [self.fact, *extra]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    kind: RuleKind
    services: tuple[str, ...]
    when: tuple[Condition, ...]
    reason: str
    basis: str
    alternative_service: str = ""
    alternative_steps: tuple[StepTemplate, ...] = ()
    alternative: str = ""  # the compliant alternative, in words
    prerequisite: str = ""  # require: the service prerequisite whose remedy comes first
    missing_material: str = ""  # require: a material that must be produced first
    verified_on: dt.date | None = None  # when someone last checked the basis still holds

    def applies_to(self, service: str) -> bool:
        return not self.services or service in self.services

    def facts_needed(self) -> list[str]:
        return list(dict.fromkeys(f for c in self.when for f in c.needs()))


@dataclass(frozen=True, slots=True)
class Fired:
    rule: Rule
    why: str  # the conditions that held, in words


@dataclass(frozen=True, slots=True)
class Evaluation:
    fired: tuple[Fired, ...]
    unknown: tuple[tuple[Rule, tuple[str, ...]], ...]  # rules that could not be decided

    @property
    def refusals(self) -> list[Fired]:
        return [f for f in self.fired if f.rule.kind == RuleKind.REFUSE]

    @property
    def requirements(self) -> list[Fired]:
        return [f for f in self.fired if f.rule.kind == RuleKind.REQUIRE]


def _describe(condition: Condition, facts: Mapping[str, Any]) -> str:
    value = facts.get(condition.fact)
    if condition.op in ("is_true", "is_false"):
        return f"{condition.fact}={str(value).lower()}"
    right = condition.value
    if isinstance(right, dict) and "fact" in right:
        right = f"{right['fact']}({facts.get(right['fact'])})"
    symbol = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}[condition.op]
    return f"{condition.fact}({value}) {symbol} {right}"


def evaluate(rules: tuple[Rule, ...], service: str, facts: Mapping[str, Any]) -> Evaluation:
    """Which rules fire for this service and these facts, and which could not be decided."""
    fired, unknown = [], []
    for rule in rules:
        if not rule.applies_to(service):
            continue
        results = [c.holds(facts) for c in rule.when]
        if any(r is False for r in results):
            continue
        if any(r is None for r in results):
            missing = tuple(f for c in rule.when for f in c.needs() if f not in facts)
            unknown.append((rule, missing))
            continue
        fired.append(Fired(rule, "；".join(_describe(c, facts) for c in rule.when)))
    return Evaluation(fired=tuple(fired), unknown=tuple(unknown))


def parse_rules(
    entries: Any, *, source: str, parse_step, known_services: set[str], strict: bool = True
) -> tuple[Rule, ...]:
    """Rules from the catalog's `rules:` list; errors name the file and the rule.

    A strict catalog (one being loaded) must date every basis (`verified_on`).
    """
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise CatalogError(f"{source}: rules 应为列表。")
    rules, seen = [], set()
    for index, entry in enumerate(entries):
        where = f"{source}: rules[{index}]"
        if not isinstance(entry, dict) or not entry.get("code"):
            raise CatalogError(f"{where}: 每条规则应为带 code 的映射。")
        code = str(entry["code"])
        where = f"{source}: rules.{code}"
        if code in seen:
            raise CatalogError(f"{where}: 规则代码重复。")
        seen.add(code)
        try:
            kind = RuleKind(entry.get("kind"))
        except ValueError:
            raise CatalogError(f"{where}.kind: 应为 refuse 或 require。") from None
        services = tuple(str(s) for s in entry.get("services") or [])
        for s in services:
            if s not in known_services:
                raise CatalogError(f"{where}.services: 未知服务“{s}”。")
        when = []
        for c in entry.get("when") or []:
            if not isinstance(c, dict) or "fact" not in c or c.get("op") not in OPS:
                raise CatalogError(
                    f"{where}.when: 条件应写作 {{fact: 名称, op: {'/'.join(OPS)}, value: 值}}。"
                )
            when.append(Condition(fact=str(c["fact"]), op=str(c["op"]), value=c.get("value")))
        if not when:
            raise CatalogError(f"{where}.when: 至少需要一个条件。")
        for key in ("reason", "basis"):
            if not entry.get(key):
                raise CatalogError(f"{where}: 缺少 {key}（规则须写明理由和依据）。")
        alt_service = str(entry.get("alternative_service") or "")
        if alt_service and alt_service not in known_services:
            raise CatalogError(f"{where}.alternative_service: 未知服务“{alt_service}”。")
        steps = tuple(
            parse_step(s, f"{where}.alternative_steps")
            for s in entry.get("alternative_steps") or []
        )
        if kind == RuleKind.REFUSE and not (alt_service or steps or entry.get("alternative")):
            raise CatalogError(f"{where}: refuse 规则必须给出合规替代方案。")
        if kind == RuleKind.REQUIRE and not (
            entry.get("prerequisite") or entry.get("missing_material")
        ):
            raise CatalogError(f"{where}: require 规则须指明 prerequisite 或 missing_material。")
        rules.append(
            Rule(
                code=code,
                kind=kind,
                services=services,
                when=tuple(when),
                reason=str(entry["reason"]),
                basis=str(entry["basis"]),
                alternative_service=alt_service,
                alternative_steps=steps,
                alternative=str(entry.get("alternative") or ""),
                prerequisite=str(entry.get("prerequisite") or ""),
                missing_material=str(entry.get("missing_material") or ""),
                verified_on=verified_date(entry.get("verified_on"), where, required=strict),
            )
        )
    return tuple(rules)
