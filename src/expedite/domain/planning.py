"""The planner: dated plans, expedite options, fees and the latest start, with the reasons.

Durations live on the calendar's working-time axis (`WorkCalendar.work_clock`): a plan is a
critical-path computation over the service's step network in integer microseconds of
working time, converted to dates only at the end. Levers change the network (skip removes
steps, parallel removes a dependency, compress/remote shorten a step). An authority's
calendar time and application windows (申报批次) are placed by the dates (`placement`).

A plan's working-time part (`Plan.working_part_days`) leaves both out: what the steps in
working time take, the same from any start, the figure the catalog's targets state.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .calendar import WorkCalendar
from .catalog import Lever, LeverKind, Risk, ServiceType, StepTemplate
from .errors import DomainError, gettext_noop
from .placement import US, Node, forward, in_order, latest_start

MAX_EXHAUSTIVE_LEVERS = 12


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What is known about the case that changes its plan."""

    preconditions: frozenset[str] = frozenset()  # met, e.g. "department-precoordinated"
    flags: frozenset[str] = frozenset()  # e.g. "likely-rejection" includes a review step
    unmet_prerequisites: frozenset[str] = frozenset()  # their remedy steps come first
    missing_materials: frozenset[str] = frozenset()  # third-party lead times come first
    materials_expected: dt.datetime | None = None  # the client's materials arrive then
    # A milestone the matter has already reached (卡在哪个环节): the steps of the milestones
    # before it are behind the client, so the plan starts at that stage.
    reached: str = ""


@dataclass(frozen=True, slots=True)
class PlannedStep:
    code: str
    name: str
    track: str
    role: str
    skill: str
    milestone: str
    kind: str  # "step", "material" (third-party lead time) or "prerequisite" (remedy)
    depends_on: tuple[str, ...]
    start: dt.datetime
    finish: dt.datetime
    duration: dt.timedelta
    critical: bool
    levers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Fee:
    base: int
    surcharge: int
    levers: int

    @property
    def total(self) -> int:
        return self.base + self.surcharge + self.levers


@dataclass(frozen=True, slots=True)
class Plan:
    service: str
    levers: tuple[str, ...]
    steps: tuple[PlannedStep, ...]
    start: dt.datetime
    finish: dt.datetime
    working_days: int  # workdays from the start date to the finish date, both included
    critical_path: tuple[str, ...]
    bottleneck: str
    fee: Fee
    staff_hours: float
    risk: Risk
    provisional: bool
    span_us: int  # working time from start to finish
    # The working-time part: the plan as if the authorities' calendar time and the waits for
    # application windows took none (what the catalog's targets state).
    working_part_days: int = 0
    working_part_us: int = 0
    # Steps dated from an application window that is only expected, not yet announced.
    expected_windows: tuple[str, ...] = ()

    @property
    def finish_date(self) -> dt.date:
        return self.finish.date()


# -- the network ------------------------------------------------------------------------------


def _network(service: ServiceType, facts: PlanFacts, day: dt.timedelta) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    pre: list[str] = []
    for prerequisite in service.prerequisites:
        if prerequisite.code in facts.unmet_prerequisites:
            for s in prerequisite.remedy:
                nodes[s.code] = Node.of(s, "prerequisite", s.duration, day, s.depends_on)
            pre += [s.code for s in prerequisite.remedy]
    for material in service.materials:
        if material.code in facts.missing_materials and material.lead_time:
            code = f"material-{material.code}"
            template = StepTemplate(
                code=code,
                # Named as the catalog names the material, so it translates; the track says
                # who issues it.
                name=material.name,
                duration=material.lead_time,
                role="third_party",
                skill="",
                track=material.source or "第三方",
            )
            nodes[code] = Node.of(template, "material", material.lead_time, day)
            pre.append(code)
    done = _milestones_behind(service, facts.reached)
    for s in service.steps:
        if s.when and s.when not in facts.flags:
            continue
        if s.milestone and s.milestone in done:
            continue
        deps = [d for d in s.depends_on]
        if not deps:
            deps = list(pre)
        nodes[s.code] = Node.of(s, "step", s.duration, day, deps)
    # A conditional step left out: its dependents wait for what it waited for, and a step left
    # waiting for nothing still waits for the remedies and third-party documents.
    for node in nodes.values():
        node.deps = _resolve(node.deps, service, nodes)
        if node.kind == "step" and not node.deps:
            node.deps = list(pre)
    return nodes


def _milestones_behind(service: ServiceType, reached: str) -> frozenset[str]:
    """The milestones before `reached` (none when it is not one of the service's)."""
    if reached not in service.milestones:
        return frozenset()
    return frozenset(service.milestones[: service.milestones.index(reached)])


def steps_behind(service: ServiceType, reached: str) -> tuple[str, ...]:
    """Names of the steps a matter that reached `reached` has already been through."""
    done = _milestones_behind(service, reached)
    return tuple(s.name for s in service.steps if s.milestone and s.milestone in done)


def _resolve(deps: list[str], service: ServiceType, nodes: dict[str, Node]) -> list[str]:
    out: list[str] = []
    for d in deps:
        if d in nodes:
            out.append(d)
        else:
            out += _resolve(list(service.step(d).depends_on), service, nodes)
    return list(dict.fromkeys(out))


def _apply(nodes: dict[str, Node], levers: Iterable[Lever], day: dt.timedelta) -> dict[str, Node]:
    """The network after the levers; the result does not depend on the levers' order."""
    net = {c: n.copy() for c, n in nodes.items()}
    levers = list(levers)
    # Parallel: the step stops waiting for W and starts when W could start — W's waits as they
    # are once every parallel lever is applied, hence the fixed point.
    inherits: list[tuple[str, str]] = []
    for lever in levers:
        if lever.kind != LeverKind.PARALLEL:
            continue
        for target in lever.steps:
            node = net.get(target)
            if node and lever.stop_waiting_for in node.deps:
                node.deps.remove(lever.stop_waiting_for)
                inherits.append((target, lever.stop_waiting_for))
    changed = True
    while changed:
        changed = False
        for target, waited in inherits:
            node, source = net[target], net.get(waited)
            for d in source.deps if source else ():
                if d != target and d not in node.deps:
                    node.deps.append(d)
                    changed = True
    for lever in levers:
        if lever.kind in (LeverKind.COMPRESS, LeverKind.REMOTE) and lever.to is not None:
            for target in lever.steps:
                if target in net:
                    net[target].shorten(lever.to, day)
    skipped = {t for lever in levers if lever.kind == LeverKind.SKIP for t in lever.steps}
    for code in [c for c in net if c in skipped]:
        removed = net.pop(code)
        for node in net.values():
            if code in node.deps:
                node.deps.remove(code)
                node.deps += [d for d in removed.deps if d not in node.deps]
    return net


# -- plans ------------------------------------------------------------------------------------


def _chosen(service: ServiceType, codes: Iterable[str], facts: PlanFacts) -> list[Lever]:
    levers = []
    for code in dict.fromkeys(codes):
        try:
            lever = service.lever(code)
        except KeyError:
            raise DomainError(
                gettext_noop("服务“%(service)s”没有加急手段“%(lever)s”。"),
                field="levers",
                params={"service": service.name_zh, "lever": code},
            ) from None
        missing = [p for p in lever.preconditions if p not in facts.preconditions]
        if missing:
            raise DomainError(
                gettext_noop("加急手段“%(lever)s”的前提条件未满足：%(missing)s。"),
                field="levers",
                params={"lever": lever.name, "missing": "、".join(missing)},
            )
        levers.append(lever)
    return levers


def plan(
    service: ServiceType,
    start: dt.datetime,
    calendar: WorkCalendar,
    levers: Iterable[str] = (),
    facts: PlanFacts = PlanFacts(),
) -> Plan:
    """The dated plan of `service` from `start` with the given levers (codes)."""
    day = calendar.hours.day_length
    chosen = _chosen(service, levers, facts)
    net = _apply(_network(service, facts, day), chosen, day)
    order = in_order(net)
    begin = max(start, facts.materials_expected) if facts.materials_expected else start
    base = calendar.work_clock(begin)
    schedule = forward(net, order, base, calendar)
    finish, end = schedule.finish, schedule.end
    took = {c: finish[c] - schedule.start[c] for c in net}
    latest: dict[str, int] = {}
    users: dict[str, list[str]] = {c: [] for c in net}
    for c, node in net.items():
        for d in node.deps:
            users[d].append(c)
    for c in reversed(order):
        latest[c] = min((latest[u] - took[u] for u in users[c]), default=end)
    critical = [c for c in order if latest[c] == finish[c]]
    by_lever: dict[str, list[str]] = {}
    for lever in chosen:
        for target in lever.steps:
            by_lever.setdefault(target, []).append(lever.code)
    steps = tuple(
        PlannedStep(
            code=c,
            name=net[c].template.name,
            track=net[c].template.track,
            role=net[c].template.role,
            skill=net[c].template.skill,
            milestone=net[c].template.milestone,
            kind=net[c].kind,
            depends_on=tuple(net[c].deps),
            start=calendar.at_work_clock(schedule.start[c], starting=True),
            finish=calendar.at_work_clock(finish[c]),
            duration=took[c] * US,
            critical=c in critical,
            levers=tuple(by_lever.get(c, ())),
        )
        for c in order
    )
    finish_at = calendar.at_work_clock(end)
    start_at = calendar.at_work_clock(base, starting=True)
    fee = Fee(
        base=service.base_fee,
        surcharge=service.surcharge.amount(service.base_fee) if chosen else 0,
        levers=sum(lv.cost_cny for lv in chosen),
    )
    bottleneck = max(critical, key=lambda c: took[c]) if critical else ""
    day_us = calendar.hours.day_us
    part = forward(net, order, 0).end
    return Plan(
        service=service.code,
        levers=tuple(lv.code for lv in chosen),
        steps=steps,
        start=start_at,
        finish=finish_at,
        # The length of the work in whole working days: the same at 09:00 and at 14:00.
        working_days=-(-(end - base) // day_us),
        critical_path=tuple(critical),
        bottleneck=bottleneck,
        fee=fee,
        staff_hours=sum(lv.staff_hours for lv in chosen),
        risk=max((lv.risk for lv in chosen), default=Risk.LOW),
        provisional=bool(schedule.expected)
        or calendar.provisional_between(start_at.date(), finish_at.date()),
        span_us=end - base,
        working_part_days=-(-part // day_us),
        working_part_us=part,
        expected_windows=schedule.expected,
    )


def nominal_workdays(service: ServiceType, day: dt.timedelta, levers: Iterable[Lever] = ()) -> int:
    """The plan's working-time part in whole working days (for listings and the catalog's
    targets): the standard plan, or with `levers` applied whatever their preconditions. An
    authority's calendar time and the waits for application windows are not in it: they
    depend on the dates (`Plan.working_part_days` is this figure for a dated plan)."""
    net = _apply(_network(service, PlanFacts(), day), levers, day)
    end = forward(net, in_order(net), 0).end
    whole, rest = divmod(end, day // US)
    return whole + (1 if rest else 0)


# -- options ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeverChoice:
    code: str
    name: str
    kind: LeverKind
    reason: str
    saves: dt.timedelta  # working time the plan would lose without this lever
    cost_cny: int
    risk: Risk


@dataclass(frozen=True, slots=True)
class Option:
    key: str  # "standard", "recommended" or "fastest"
    plan: Plan
    meets_deadline: bool | None
    late_by_workdays: int  # 0 when on time
    latest_start: dt.datetime | None  # the last moment to begin and still meet the deadline
    choices: tuple[LeverChoice, ...]


@dataclass(frozen=True, slots=True)
class Options:
    service: str
    standard: Option
    recommended: Option | None  # the cheapest, then least risky, plan meeting the deadline
    fastest: Option
    unavailable: tuple[tuple[Lever, tuple[str, ...]], ...]  # levers whose preconditions fail
    deadline: dt.date | None

    @property
    def expedite_needed(self) -> bool:
        return self.standard.meets_deadline is False


def options(
    service: ServiceType,
    start: dt.datetime,
    calendar: WorkCalendar,
    *,
    deadline: dt.date | None = None,
    facts: PlanFacts = PlanFacts(),
) -> Options:
    """The standard plan, the cheapest plan meeting the deadline, and the fastest plan."""
    day = calendar.hours.day_length
    usable = [
        lv for lv in service.levers if all(p in facts.preconditions for p in lv.preconditions)
    ]
    unavailable = tuple(
        (lv, tuple(p for p in lv.preconditions if p not in facts.preconditions))
        for lv in service.levers
        if lv not in usable
    )
    network = _network(service, facts, day)
    begin = max(start, facts.materials_expected) if facts.materials_expected else start
    base = calendar.work_clock(begin)

    def span(levers: Iterable[Lever]) -> int:
        net = _apply(network, levers, day)
        return forward(net, in_order(net), base, calendar).end - base

    full = span(usable)
    none = span(())
    # The fastest plan without paying for levers that add nothing to it: drop the dearest
    # levers whose removal keeps the fastest span.
    fastest_set = list(usable)
    for lv in sorted(usable, key=lambda x: (-x.cost_cny, -x.risk)):
        trial = [x for x in fastest_set if x is not lv]
        if span(trial) <= full:
            fastest_set = trial
    limit = calendar.work_clock_end_of(deadline) - base if deadline else None
    recommended_set: list[Lever] | None = None
    if limit is not None and none > limit and full <= limit:
        recommended_set = _cheapest(service, usable, span, limit)

    def option(key: str, levers: list[Lever]) -> Option:
        p = plan(service, start, calendar, [lv.code for lv in levers], facts)
        meets = None if limit is None else p.span_us <= limit
        late = 0
        latest = None
        if deadline is not None:
            if not meets:
                # Working days after the deadline day up to the finish, whatever day it falls on.
                late = calendar.workdays_between(
                    deadline + dt.timedelta(days=1), p.finish_date + dt.timedelta(days=1)
                )
            latest = latest_start(_apply(network, levers, day), calendar, deadline, p.span_us)
        this = span(levers)
        choices = tuple(
            LeverChoice(
                code=lv.code,
                name=lv.name,
                kind=lv.kind,
                reason=lv.reason,
                saves=(span([x for x in levers if x is not lv]) - this) * US,
                cost_cny=lv.cost_cny,
                risk=lv.risk,
            )
            for lv in levers
        )
        if deadline is not None and not p.provisional:
            # The deadline and the latest start count too: a date computed across an unpublished
            # Spring Festival is provisional even if the work itself ends before it.
            lo = min(p.start.date(), latest.date() if latest else p.start.date())
            if calendar.provisional_between(lo, max(deadline, p.finish_date)):
                p = replace(p, provisional=True)
        return Option(key, p, meets, late, latest, choices)

    standard = option("standard", [])
    fastest = option("fastest", fastest_set)
    recommended = None
    if limit is not None:
        if standard.meets_deadline:
            recommended = standard
        elif recommended_set is not None:
            recommended = option("recommended", recommended_set)
    return Options(
        service=service.code,
        standard=standard,
        recommended=recommended,
        fastest=fastest,
        unavailable=unavailable,
        deadline=deadline,
    )


def _price(service: ServiceType, levers: Iterable[Lever]) -> tuple[int, int, int]:
    levers = list(levers)
    surcharge = service.surcharge.amount(service.base_fee) if levers else 0
    return (
        surcharge + sum(lv.cost_cny for lv in levers),
        max((lv.risk for lv in levers), default=0),
        len(levers),
    )


def _cheapest(service: ServiceType, levers: list[Lever], span, limit: int) -> list[Lever] | None:
    """The cheapest, then least risky, then smallest lever set whose plan fits in `limit`."""
    if len(levers) <= MAX_EXHAUSTIVE_LEVERS:
        subsets = [
            list(c) for r in range(1, len(levers) + 1) for c in itertools.combinations(levers, r)
        ]
        subsets.sort(key=lambda s: _price(service, s))
        for subset in subsets:
            if span(subset) <= limit:
                return subset
        return None
    # Many levers: add the one that saves most per yuan until the plan fits.
    chosen: list[Lever] = []
    current = span(chosen)
    while current > limit:
        best = None
        for lv in levers:
            if lv in chosen:
                continue
            saving = current - span([*chosen, lv])
            if saving > 0:
                score = saving / (lv.cost_cny + 1)
                if best is None or score > best[0]:
                    best = (score, lv)
        if best is None:
            return None
        chosen.append(best[1])
        current = span(chosen)
    return chosen
