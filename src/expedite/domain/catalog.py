"""The service catalog: what the firm offers, how each service runs, and how it can be sped up.

A catalog is YAML (docs/catalog.md). Loading validates everything and names the file and the
key of the first problem: cycles, unknown dependencies, levers on missing steps, non-positive
durations, unknown skills or roles. A firm edits its own copy; these are its defaults.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

from . import yamltext
from .catalog_english import check_english
from .catalog_fields import (
    Material,
    StepTemplate,
    _check_dag,
    _check_materials,
    _checklist,
    _code,
    _duration,
    _list,
    _mapping,
    _material,
    _require,
    _windows,
)
from .catalog_limits import Authority, Targets, parse_authorities, parse_targets, verified_date
from .durations import Duration
from .errors import CatalogError
from .rules import parse_rules

STEP_ROLES = ("liaison", "process", "risk", "supervisor", "manager", "third_party", "government")


class Category(enum.StrEnum):
    BUSINESS = "business"  # 工商
    TAX = "tax"  # 税务
    LICENSE = "license"  # 许可
    SOCIAL = "social"  # 社保
    IP = "ip"  # 知识产权


class LeverKind(enum.StrEnum):
    SKIP = "skip"  # the steps are not done (e.g. 初审/复审 straight to supervisor final review)
    PARALLEL = "parallel"  # a step stops waiting for another and runs alongside it
    COMPRESS = "compress"  # a step takes less time (e.g. e-sign: 1 day becomes 2 hours)
    REMOTE = "remote"  # a step is done remotely and takes less time


class Risk(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


@dataclass(frozen=True, slots=True)
class Lever:
    code: str
    name: str
    kind: LeverKind
    steps: tuple[str, ...]
    reason: str
    cost_cny: int = 0
    staff_hours: float = 0
    risk: Risk = Risk.LOW
    preconditions: tuple[str, ...] = ()
    to: Duration | None = None  # compress/remote: the new duration
    stop_waiting_for: str = ""  # parallel: the dependency removed


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """Something that must already hold; if it does not, `remedy` steps come first."""

    code: str
    name: str
    remedy: tuple[StepTemplate, ...] = ()
    basis: str = ""
    verified_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Surcharge:
    """Charged when any lever is used: a percentage of the base fee, at least `minimum`."""

    percent: float = 0
    minimum: int = 0

    def amount(self, base_fee: int) -> int:
        return max(round(base_fee * self.percent / 100), self.minimum)


# Tracks that are the firm's or the client's own work; any other track is an authority's.
OWN_TRACKS = frozenset({"本所", "客户", ""})


@dataclass(frozen=True, slots=True)
class ServiceType:
    code: str
    name_zh: str
    name_en: str
    category: Category
    steps: tuple[StepTemplate, ...]
    levers: tuple[Lever, ...] = ()
    materials: tuple[Material, ...] = ()
    prerequisites: tuple[Prerequisite, ...] = ()
    compliance_rules: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    base_fee: int = 0
    surcharge: Surcharge = field(default_factory=Surcharge)
    description: str = ""
    standard_workdays: int = 0  # as advertised; the planner computes the real figure
    # What the same service typically takes elsewhere (a reference figure the firm keeps, not a
    # measurement): the KPI compares expedited durations with it (docs/kpi.md).
    industry_workdays: float | None = None
    # What the handler's self-check and the supervisor's review go through (双重复核).
    checklist: tuple[str, ...] = ()
    # What a supervisor checks before the first submission to an authority (递交前复核): the
    # signatures and seals, the forms against the licence. Empty: no such gate.
    submission_checklist: tuple[str, ...] = ()
    # The government's clock at each authority, and the firm's own (catalog_limits).
    authorities: tuple[Authority, ...] = ()
    targets: Targets | None = None

    def first_submission(self) -> StepTemplate | None:
        """The first step carried out at an authority (not the firm's or the client's own)."""
        return next((s for s in self.steps if s.track not in OWN_TRACKS), None)

    def step(self, code: str) -> StepTemplate:
        for s in self.steps:
            if s.code == code:
                return s
        raise KeyError(code)

    def lever(self, code: str) -> Lever:
        for lever in self.levers:
            if lever.code == code:
                return lever
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class Catalog:
    services: tuple[ServiceType, ...]
    skills: tuple[str, ...] = ()
    preconditions: tuple[tuple[str, str], ...] = ()  # (code, 中文说明)
    rules: tuple = ()  # expedite.domain.rules.Rule, the compliance rules
    facts: tuple[tuple[str, str], ...] = ()  # (fact, the intake's question)
    # The catalog's own text in English (Chinese → English): names, reasons, checklists.
    english: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def in_english(self, text: str) -> str | None:
        return self.english.get(text)

    def fact_label(self, fact: str) -> str:
        return dict(self.facts).get(fact, fact)

    def precondition_name(self, code: str) -> str:
        return dict(self.preconditions).get(code, code)

    def get(self, code: str) -> ServiceType:
        for service in self.services:
            if service.code == code:
                return service
        raise KeyError(code)


# -- parsing ----------------------------------------------------------------------------------


def _step(entry: Any, where: str, skills: set[str], *, strict: bool = True) -> StepTemplate:
    entry = _mapping(entry, where)
    code = _code(_require(entry, "code", where), f"{where}.code")
    where = f"{where}[{code}]"
    role = str(_require(entry, "role", where))
    if role not in STEP_ROLES:
        raise CatalogError(f"{where}.role: 未知角色“{role}”，可选：{'、'.join(STEP_ROLES)}。")
    skill = str(_require(entry, "skill", where))
    if skills and skill not in skills:
        raise CatalogError(f"{where}.skill: 未知技能“{skill}”，请先在 skills 中列出。")
    depends = entry.get("depends_on") or []
    if not isinstance(depends, list):
        raise CatalogError(f"{where}.depends_on: 应为步骤代码列表。")
    return StepTemplate(
        code=code,
        name=str(_require(entry, "name", where)),
        duration=_duration(_require(entry, "duration", where), f"{where}.duration"),
        role=role,
        skill=skill,
        track=str(_require(entry, "track", where)),
        milestone=str(entry.get("milestone", "")),
        depends_on=tuple(str(d) for d in depends),
        when=str(entry.get("when", "")),
        windows=_windows(entry, where, strict=strict),
    )


def _lever(
    entry: Any, where: str, steps: dict[str, StepTemplate], preconditions: set[str] | None
) -> Lever:
    entry = _mapping(entry, where)
    code = _code(_require(entry, "code", where), f"{where}.code")
    where = f"{where}[{code}]"
    try:
        kind = LeverKind(_require(entry, "kind", where))
    except ValueError:
        raise CatalogError(f"{where}.kind: 应为 skip、parallel、compress 或 remote。") from None
    targets = entry.get("steps") or ([entry["step"]] if entry.get("step") else [])
    if not targets:
        raise CatalogError(f"{where}: 缺少作用的步骤（step 或 steps）。")
    for target in targets:
        if target not in steps:
            raise CatalogError(f"{where}.steps: 步骤“{target}”不存在。")
    try:
        risk = Risk[str(entry.get("risk", "low")).upper()]
    except KeyError:
        raise CatalogError(f"{where}.risk: 应为 low、medium 或 high。") from None
    cost = entry.get("cost") or {}
    to = None
    stop_waiting_for = ""
    if kind in (LeverKind.COMPRESS, LeverKind.REMOTE):
        to = _duration(_require(entry, "to", where), f"{where}.to")
        for target in targets:
            # Working against calendar time compares on a nominal week (Duration.shorter_than);
            # the planner compares on the calendar, taking whichever ends first.
            before = steps[target].duration
            if not to.shorter_than(before):
                raise CatalogError(f"{where}.to: 压缩后的时长应短于原时长（{before.describe()}）。")
    if kind == LeverKind.PARALLEL:
        stop_waiting_for = str(_require(entry, "stop_waiting_for", where))
        for target in targets:
            if stop_waiting_for not in steps[target].depends_on:
                raise CatalogError(
                    f"{where}.stop_waiting_for: 步骤“{target}”并不依赖“{stop_waiting_for}”。"
                )
    for p in entry.get("preconditions") or []:
        if preconditions is not None and str(p) not in preconditions:
            raise CatalogError(
                f"{where}.preconditions: 未知前提条件“{p}”，请先在 preconditions 中说明。"
            )
    try:
        cost_cny = int(cost.get("cny", 0))
        staff_hours = float(cost.get("staff_hours", 0))
    except (TypeError, ValueError, AttributeError):
        raise CatalogError(f"{where}.cost: 应写作 {{cny: 金额, staff_hours: 小时}}。") from None
    if cost_cny < 0 or staff_hours < 0:
        raise CatalogError(f"{where}.cost: 费用不能为负。")
    return Lever(
        code=code,
        name=str(_require(entry, "name", where)),
        kind=kind,
        steps=tuple(targets),
        reason=str(_require(entry, "reason", where)),
        cost_cny=cost_cny,
        staff_hours=staff_hours,
        risk=risk,
        preconditions=tuple(str(p) for p in entry.get("preconditions") or []),
        to=to,
        stop_waiting_for=stop_waiting_for,
    )


def parse_service(
    entry: Any,
    *,
    where: str,
    skills: set[str],
    preconditions: set[str] | None = None,
    strict: bool = True,
) -> ServiceType:
    """One service entry; any malformed value is reported as a CatalogError naming the entry.

    `strict=False` reads catalogs stored before a field became required (see parse_catalog).
    """
    try:
        return _parse_service(
            entry, where=where, skills=skills, preconditions=preconditions, strict=strict
        )
    except CatalogError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        code = entry.get("code", "?") if isinstance(entry, dict) else "?"
        raise CatalogError(f"{where.rsplit('[', 1)[0]}.{code}: 格式不正确（{exc}）。") from exc


def _parse_service(
    entry: Any,
    *,
    where: str,
    skills: set[str],
    preconditions: set[str] | None = None,
    strict: bool = True,
) -> ServiceType:
    entry = _mapping(entry, where)
    code = _code(_require(entry, "code", where), f"{where}.code")
    where = f"{where.rsplit('[', 1)[0]}.{code}" if "[" in where else f"{where}.{code}"
    try:
        category = Category(_require(entry, "category", where))
    except ValueError:
        allowed = "、".join(c.value for c in Category)
        raise CatalogError(f"{where}.category: 未知类别，可选：{allowed}。") from None
    steps = [
        _step(s, f"{where}.steps", skills, strict=strict) for s in _list(entry, "steps", where)
    ]
    if not steps:
        raise CatalogError(f"{where}.steps: 至少需要一个步骤。")
    if len({s.code for s in steps}) != len(steps):
        raise CatalogError(f"{where}.steps: 步骤代码重复。")
    _check_dag(steps, where)
    by_code = {s.code: s for s in steps}
    if not isinstance(entry.get("preconditions", []), list):
        raise CatalogError(f"{where}.preconditions: 应为列表。")
    levers = [
        _lever(lv, f"{where}.levers", by_code, preconditions)
        for lv in _list(entry, "levers", where)
    ]
    if len({lv.code for lv in levers}) != len(levers):
        raise CatalogError(f"{where}.levers: 加急手段代码重复。")
    skipped = {t for lv in levers if lv.kind == LeverKind.SKIP for t in lv.steps}
    if skipped >= set(by_code):
        raise CatalogError(f"{where}.levers: 跳过类加急手段不能跳过全部步骤。")
    materials = [_material(m, where) for m in _list(entry, "materials", where)]
    _check_materials(materials, where)
    prerequisites = []
    for p in _list(entry, "prerequisites", where):
        p = _mapping(p, f"{where}.prerequisites")
        pcode = _code(_require(p, "code", f"{where}.prerequisites"), f"{where}.prerequisites.code")
        pwhere = f"{where}.prerequisites[{pcode}]"
        remedy = [
            _step(s, f"{pwhere}.remedy", skills, strict=strict) for s in _list(p, "remedy", pwhere)
        ]
        _check_dag(remedy, pwhere)
        clash = {s.code for s in remedy} & set(by_code)
        if clash:
            raise CatalogError(
                f"{pwhere}.remedy: 步骤代码与服务步骤重复：{'、'.join(sorted(clash))}。"
            )
        prerequisites.append(
            Prerequisite(
                code=pcode,
                name=str(_require(p, "name", pwhere)),
                remedy=tuple(remedy),
                basis=_basis(p, pwhere, strict=strict),
                verified_on=verified_date(p.get("verified_on"), pwhere, required=strict),
            )
        )
    surcharge = entry.get("surcharge") or {}
    if not isinstance(surcharge, dict):
        raise CatalogError(f"{where}.surcharge: 应写作 {{percent: N, minimum: 金额}}。")
    milestones = entry.get("milestones") or []
    if not isinstance(milestones, list) or not all(isinstance(m, str) for m in milestones):
        raise CatalogError(f"{where}.milestones: 应为文字列表。")
    for s in steps:
        if s.milestone and milestones and s.milestone not in milestones:
            raise CatalogError(
                f"{where}.steps[{s.code}].milestone: “{s.milestone}”不在 milestones 中。"
            )
    base_fee = entry.get("base_fee", 0)
    if not isinstance(base_fee, int) or base_fee < 0:
        raise CatalogError(f"{where}.base_fee: 应为非负整数（元）。")
    advertised = entry.get("standard_workdays", 0)
    if not isinstance(advertised, int) or isinstance(advertised, bool) or advertised < 0:
        raise CatalogError(f"{where}.standard_workdays: 应为正整数（工作日）。")
    industry = entry.get("industry_workdays")
    if industry is not None and (
        isinstance(industry, bool) or not isinstance(industry, int | float) or industry <= 0
    ):
        raise CatalogError(f"{where}.industry_workdays: 应为正数（工作日）。")
    checklist = _checklist(entry, where, required=strict)
    submission_checklist = _checklist(entry, where, required=False, key="submission_checklist")
    return ServiceType(
        code=code,
        name_zh=str(_require(entry, "name_zh", where)),
        name_en=str(_require(entry, "name_en", where)),
        category=category,
        steps=tuple(steps),
        levers=tuple(levers),
        materials=tuple(materials),
        prerequisites=tuple(prerequisites),
        compliance_rules=tuple(str(r) for r in entry.get("compliance_rules") or []),
        milestones=tuple(milestones),
        base_fee=base_fee,
        surcharge=Surcharge(
            percent=float(surcharge.get("percent", 0)), minimum=int(surcharge.get("minimum", 0))
        ),
        description=str(entry.get("description", "")),
        standard_workdays=advertised,
        industry_workdays=None if industry is None else float(industry),
        checklist=checklist,
        submission_checklist=submission_checklist,
        authorities=parse_authorities(
            entry,
            where,
            {s.track for s in steps} | {s.track for p in prerequisites for s in p.remedy},
            strict=strict,
        ),
        targets=parse_targets(entry, where),
    )


def _basis(entry: dict, where: str, *, strict: bool) -> str:
    basis = str(entry.get("basis") or "").strip()
    if strict and not basis:
        raise CatalogError(f"{where}: 缺少 basis（前提须写明法规条款或依据）。")
    return basis


def parse_catalog(
    text: str, *, source: str = "<catalog>", strict: bool = True, require_english: bool = False
) -> Catalog:
    """Parse and validate catalog YAML; raise `CatalogError` naming source and key.

    A catalog being loaded is strict. Versions already stored (cases stay pinned to them) were
    valid when loaded and are read with `strict=False`: a field required since then (the
    review checklist) may be missing there, and must not make those cases unreadable.
    `require_english` also refuses displayed text without English (`catalog_english`).
    """
    try:
        doc = yamltext.load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: YAML 格式错误：{exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
        raise CatalogError(f"{source}: 顶层应为包含 “services” 列表的映射。")
    skills = doc.get("skills") or []
    if not isinstance(skills, list):
        raise CatalogError(f"{source}: skills 应为列表。")
    conditions = doc.get("preconditions") or {}
    if not isinstance(conditions, dict):
        raise CatalogError(f"{source}: preconditions 应为“代码: 说明”的映射。")
    services: list[ServiceType] = []
    seen: set[str] = set()
    for index, entry in enumerate(doc["services"]):
        service = parse_service(
            entry,
            where=f"{source}: services[{index}]",
            skills=set(map(str, skills)),
            preconditions=set(map(str, conditions)),
            strict=strict,
        )
        if service.code in seen:
            raise CatalogError(f"{source}: services.{service.code}.code: 代码重复。")
        seen.add(service.code)
        services.append(service)
    if not services:
        raise CatalogError(f"{source}: 目录中没有任何服务事项。")
    skill_set = set(map(str, skills))
    rules = parse_rules(
        doc.get("rules"),
        source=source,
        parse_step=lambda entry, where: _step(entry, where, skill_set, strict=strict),
        known_services=seen,
        strict=strict,
    )
    for rule in rules:
        for code in rule.services or ():
            service = next(x for x in services if x.code == code)
            if rule.prerequisite and rule.prerequisite not in {
                p.code for p in service.prerequisites
            }:
                raise CatalogError(
                    f"{source}: rules.{rule.code}.prerequisite: "
                    f"服务“{code}”没有前提“{rule.prerequisite}”。"
                )
            if rule.missing_material and rule.missing_material not in {
                m.code for m in service.materials
            }:
                raise CatalogError(
                    f"{source}: rules.{rule.code}.missing_material: "
                    f"服务“{code}”没有材料“{rule.missing_material}”。"
                )
    fact_labels = doc.get("facts") or {}
    if not isinstance(fact_labels, dict):
        raise CatalogError(f"{source}: facts 应为“名称: 问题”的映射。")
    for rule in rules:
        for name in rule.facts_needed():
            if name not in fact_labels:
                raise CatalogError(
                    f"{source}: rules.{rule.code}.when: 事实“{name}”未在 facts 中说明。"
                )
    english = doc.get("english") or {}
    if not isinstance(english, dict):
        raise CatalogError(f"{source}: english 应为“中文: English”的映射。")
    # A service's name_en is its name's English unless the section says otherwise.
    glossary = {s.name_zh: s.name_en for s in services}
    glossary.update({str(k): str(v).strip() for k, v in english.items() if v not in (None, "")})
    catalog = Catalog(
        english=MappingProxyType(glossary),
        facts=tuple((str(k), str(v)) for k, v in fact_labels.items()),
        rules=rules,
        services=tuple(services),
        skills=tuple(map(str, skills)),
        preconditions=tuple((str(k), str(v)) for k, v in conditions.items()),
    )
    if require_english:
        check_english(catalog, source)
    return catalog
