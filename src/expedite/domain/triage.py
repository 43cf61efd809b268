"""Triage (需求精准识别): 真急 or 假急, allowed or not, and which option — before anyone starts.

`triage()` turns the intake (the seed's three questions, the consequence of missing the
deadline, and the facts the compliance rules look at) into a verdict with its reasons:

- `refused`: a red line; the reason, the basis and a compliant alternative with its dates;
- `blocked`: a prerequisite is unmet; the compliant path (remedy first) with its dates;
- `not_needed`: the standard plan already meets the deadline (假急): recommend standard;
- `expedite`: an expedited option meets it; the cheapest compliant one is recommended;
- `infeasible`: even the fastest misses; the best achievable date and what would have to change.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .calendar import WorkCalendar
from .catalog import Catalog, Prerequisite, ServiceType
from .phrases import Items, Msg, Phrase, Term
from .planning import Option, Options, PlanFacts, options, steps_behind
from .rules import Evaluation, Fired, evaluate
from .verdict_text import (
    CONSEQUENCE_LABELS,
    FLAG_LABELS,
    VERDICT_LABELS,
    day,
    options_summary,
    terms,
)


class Verdict(enum.StrEnum):
    NOT_NEEDED = "not_needed"
    EXPEDITE = "expedite"
    INFEASIBLE = "infeasible"
    REFUSED = "refused"
    BLOCKED = "blocked"
    # 假急: only the standard plan misses the date, yet missing it costs nothing but comfort and
    # nothing in writing sets it. The standard plan is recommended; paying to expedite stays
    # the client's own choice, and such a case never ranks above a truly urgent one.
    FALSE_URGENCY = "false_urgency"


class Consequence(enum.StrEnum):
    CONTRACT_PENALTY = "contract_penalty"  # 合同违约金
    REGULATORY_PENALTY = "regulatory_penalty"  # 监管处罚
    LOST_BUSINESS = "lost_business"  # 错失商机
    COMFORT_ONLY = "comfort_only"  # 只是想早点放心


class Flag(enum.StrEnum):
    NO_WRITTEN_EVIDENCE = "no_written_evidence"
    DEADLINE_PAST = "deadline_past"
    MATERIALS_INCOMPLETE = "materials_incomplete"
    PROVISIONAL_YEAR = "provisional_year"


@dataclass(frozen=True, slots=True)
class Intake:
    """What the liaison learns on the phone: the seed's three questions and more."""

    deadline: dt.date
    written_notice: bool  # 1. is there a written notice of the deadline?
    stage: str = ""  # 2. where is the matter stuck now?
    materials_complete: bool = True  # 3. can complete materials be submitted today?
    materials_expected: dt.datetime | None = None
    consequence: Consequence = Consequence.COMFORT_ONLY
    facts: Mapping[str, Any] = field(default_factory=dict)  # what the compliance rules read
    preconditions: frozenset[str] = frozenset()  # lever preconditions that can be arranged
    flags: frozenset[str] = frozenset()  # case facts that add steps (e.g. likely-rejection)


# -- priority -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    urgency: float = 0.5
    impact: float = 0.35
    value: float = 0.15


IMPACT = {
    Consequence.CONTRACT_PENALTY: 1.0,
    Consequence.REGULATORY_PENALTY: 0.9,
    Consequence.LOST_BUSINESS: 0.6,
    Consequence.COMFORT_ONLY: 0.1,
}
VALUE = {"strategic": 1.0, "key": 0.6, "standard": 0.3}
SLACK_HORIZON_WORKDAYS = 10  # slack beyond this is not urgent at all


@dataclass(frozen=True, slots=True)
class Priority:
    score: float
    urgency: float
    impact: float
    value: float
    slack_workdays: float

    def reason(self, consequence: Consequence, tier_name: str) -> Phrase:
        """Why the score is what it is; `tier_name` is the client tier's label (a message)."""
        slack = (
            Phrase("priority.slack", {"days": self.slack_workdays})
            if self.slack_workdays >= 0
            else Phrase("priority.late", {"days": -self.slack_workdays})
        )
        return Phrase(
            "priority.reason",
            {
                "score": self.score,
                "urgency": self.urgency,
                "slack": slack,
                "impact": self.impact,
                "consequence": Msg(CONSEQUENCE_LABELS[consequence]),
                "value": self.value,
                "tier": Msg(tier_name),
            },
        )


def is_false_urgency(intake: Intake) -> bool:
    """The seed's 假急: nothing worse than impatience if the date slips, and nothing in writing."""
    return intake.consequence == Consequence.COMFORT_ONLY and not intake.written_notice


def priority(
    *,
    slack: dt.timedelta,
    day: dt.timedelta,
    consequence: Consequence,
    value_tier: str,
    weights: PriorityWeights,
) -> Priority:
    """A score in [0, 1] for ordering competing cases (the seed: 业务紧急程度 + 客户价值).

    urgency = 1 − slack / 10 working days, clamped to [0, 1] (no slack or late: 1);
    impact by the consequence of missing the deadline; value by the client's tier;
    score = the weighted sum, weights from settings.
    """
    slack_days = slack / day
    urgency = min(1.0, max(0.0, 1 - slack_days / SLACK_HORIZON_WORKDAYS))
    impact = IMPACT[consequence]
    value = VALUE.get(value_tier, VALUE["standard"])
    total = weights.urgency + weights.impact + weights.value
    score = (weights.urgency * urgency + weights.impact * impact + weights.value * value) / total
    return Priority(round(score, 4), round(urgency, 4), impact, value, round(slack_days, 2))


# -- triage -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Triage:
    verdict: Verdict
    service: str
    reasons: tuple[Phrase, ...]
    flags: tuple[Flag, ...]
    fired: tuple[Fired, ...]
    undecided: tuple[tuple[str, tuple[str, ...]], ...]  # (rule code, facts it needs)
    options: Options  # of the service itself (with remedies first when blocked)
    chosen: Option  # the option we recommend to the client
    alternative: Options | None  # refused: the compliant alternative
    alternative_name: str
    to_change: tuple[Phrase, ...]  # infeasible: what would have to change
    priority: Priority

    @property
    def latest_start(self) -> dt.datetime | None:
        return self.chosen.latest_start


def triage(
    service: ServiceType,
    intake: Intake,
    *,
    catalog: Catalog,
    calendar: WorkCalendar,
    now: dt.datetime,
    value_tier: str = "standard",
    weights: PriorityWeights = PriorityWeights(),
    lookup: Callable[[str], ServiceType] | None = None,
) -> Triage:
    lookup = lookup or catalog.get
    today = now.astimezone(calendar.tz).date()
    start = calendar.at_work_clock(calendar.work_clock(now), starting=True)
    flags: list[Flag] = []
    reasons: list[Phrase] = []
    if not intake.written_notice:
        flags.append(Flag.NO_WRITTEN_EVIDENCE)
    if intake.deadline < today:
        flags.append(Flag.DEADLINE_PAST)
    expected = None
    if not intake.materials_complete:
        flags.append(Flag.MATERIALS_INCOMPLETE)
        expected = intake.materials_expected
    evaluation: Evaluation = evaluate(catalog.rules, service.code, intake.facts)
    unmet = frozenset(f.rule.prerequisite for f in evaluation.requirements if f.rule.prerequisite)
    missing = frozenset(
        f.rule.missing_material for f in evaluation.requirements if f.rule.missing_material
    )
    facts = PlanFacts(
        preconditions=intake.preconditions,
        flags=intake.flags,
        unmet_prerequisites=unmet,
        missing_materials=missing,
        materials_expected=expected,
        reached=intake.stage,
    )
    behind = steps_behind(service, intake.stage)
    if behind:
        reasons.append(
            Phrase("triage.stage_reached", {"stage": Term(intake.stage), "behind": terms(behind)})
        )
    result = options(service, start, calendar, deadline=intake.deadline, facts=facts)
    # The rules decide again with what the plan itself shows (a same-month correction that
    # cannot finish within the month is a cross-month one); derived facts are never asked.
    evaluation = evaluate(
        catalog.rules, service.code, {**intake.facts, **derived_facts(result, today)}
    )
    alternative, alternative_name, to_change = None, "", ()
    if evaluation.refusals:
        verdict = Verdict.REFUSED
        rule = evaluation.refusals[0].rule
        reasons += [_rule(f) for f in evaluation.refusals]
        alt_service = lookup(rule.alternative_service) if rule.alternative_service else service
        alt_facts = facts
        if rule.alternative_steps:
            detour = Prerequisite(
                code=f"rule-{rule.code}", name=rule.alternative, remedy=rule.alternative_steps
            )
            alt_service = replace(alt_service, prerequisites=(*alt_service.prerequisites, detour))
            alt_facts = replace(
                facts, unmet_prerequisites=facts.unmet_prerequisites | {detour.code}
            )
        if rule.alternative_service and rule.alternative_service != service.code:
            alt_facts = PlanFacts(preconditions=intake.preconditions, materials_expected=expected)
        alternative = options(
            alt_service, start, calendar, deadline=intake.deadline, facts=alt_facts
        )
        alternative_name = rule.alternative or alt_service.name_zh
        chosen = _best(alternative)
        plan = chosen.plan
        reasons.append(
            Phrase(
                "triage.alternative",
                {
                    "alternative": Term(alternative_name),
                    "service": Term(alt_service.name_zh),
                    "days": plan.working_days,
                    "finish": day(plan.finish_date),
                },
            )
        )
    elif unmet:
        verdict = Verdict.BLOCKED
        chosen = _best(result)
        for f in evaluation.requirements:
            if f.rule.prerequisite:
                reasons.append(_rule(f))
        remedy_days = sum(1 for s in chosen.plan.steps if s.kind == "prerequisite")
        reasons.append(
            Phrase(
                "triage.remedy_first",
                {
                    "count": remedy_days,
                    "days": chosen.plan.working_days,
                    "finish": day(chosen.plan.finish_date),
                },
            )
        )
    elif result.standard.meets_deadline:
        verdict = Verdict.NOT_NEEDED
        chosen = result.standard
        reasons.append(
            Phrase(
                "triage.not_needed",
                {
                    "days": chosen.plan.working_days,
                    "finish": day(chosen.plan.finish_date),
                    "deadline": day(intake.deadline),
                },
            )
        )
    elif result.recommended is not None and is_false_urgency(intake):
        verdict = Verdict.FALSE_URGENCY
        chosen = result.standard
        paid = result.recommended
        reasons.append(
            Phrase(
                "triage.false_urgency",
                {"days": chosen.plan.working_days, "finish": day(chosen.plan.finish_date)},
            )
        )
        reasons.append(
            Phrase(
                "triage.false_urgency_paid",
                {
                    "days": paid.plan.working_days,
                    "finish": day(paid.plan.finish_date),
                    "fee": paid.plan.fee.total,
                    "standard_fee": chosen.plan.fee.total,
                },
            )
        )
    elif result.recommended is not None:
        verdict = Verdict.EXPEDITE
        chosen = result.recommended
        reasons.append(options_summary(result))
        reasons += [
            Phrase("triage.lever", {"lever": Term(c.name), "reason": Term(c.reason)})
            for c in chosen.choices
        ]
    else:
        verdict = Verdict.INFEASIBLE
        chosen = result.fastest
        finish = day(chosen.plan.finish_date)
        reasons.append(
            Phrase("triage.infeasible", {"finish": finish, "late": chosen.late_by_workdays})
        )
        changes = [Phrase("change.deadline", {"finish": finish})]
        for lever, needs in result.unavailable:
            names = terms(catalog.precondition_name(n) for n in needs)
            changes.append(
                Phrase("change.precondition", {"needs": names, "lever": Term(lever.name)})
            )
        to_change = tuple(changes)
    if verdict in (Verdict.REFUSED, Verdict.BLOCKED) and chosen.meets_deadline is False:
        finish = day(chosen.plan.finish_date)
        reasons.append(
            Phrase("triage.compliant_late", {"finish": finish, "late": chosen.late_by_workdays})
        )
        to_change = (Phrase("change.deadline", {"finish": finish}),)
    for f in evaluation.requirements:
        if f.rule.missing_material:
            reasons.append(_rule(f))
    if chosen.plan.provisional or calendar.provisional_between(
        min(today, intake.deadline), max(today, intake.deadline)
    ):
        flags.append(Flag.PROVISIONAL_YEAR)
    deadline_end = calendar.work_clock_end_of(intake.deadline)
    slack = (deadline_end - calendar.work_clock(chosen.plan.finish)) * dt.timedelta(microseconds=1)
    rank = priority(
        slack=slack,
        day=calendar.hours.day_length,
        consequence=intake.consequence,
        value_tier=value_tier,
        weights=weights,
    )
    return Triage(
        verdict=verdict,
        service=service.code,
        reasons=tuple(reasons),
        flags=tuple(flags),
        fired=evaluation.fired,
        undecided=tuple((rule.code, needs) for rule, needs in evaluation.unknown),
        options=result,
        chosen=chosen,
        alternative=alternative,
        alternative_name=alternative_name,
        to_change=to_change,
        priority=rank,
    )


# Facts the triage works out from the plan rather than asking anyone (the catalog's rules may
# test them like any other fact; `cases.triage.facts_for` leaves them out of the questions).
DERIVED_FACTS = frozenset({"finish_crosses_month"})


def derived_facts(result: Options, today: dt.date) -> dict[str, Any]:
    """`finish_crosses_month`: even the fastest compliant plan finishes in a later month than
    today, so work that must be done within this month (当月作废重开) cannot be."""
    finish = result.fastest.plan.finish_date
    return {"finish_crosses_month": (finish.year, finish.month) != (today.year, today.month)}


def _best(result: Options) -> Option:
    if result.standard.meets_deadline:
        return result.standard
    return result.recommended or result.fastest


def _rule(fired: Fired) -> Phrase:
    return Phrase(
        "triage.rule", {"reason": Term(fired.rule.reason), "basis": Term(fired.rule.basis)}
    )


def client_summary(
    t: Triage, *, client: str, service_name: str, deadline: dt.date, must_do: list[Phrase]
) -> list[Phrase]:
    """The one-page summary a liaison sends to the client, line by line."""
    plan = t.chosen.plan
    lines = [
        Phrase(
            "summary.greeting",
            {
                "client": client,
                "service": Term(service_name),
                "deadline": day(deadline),
                "verdict": Msg(VERDICT_LABELS[t.verdict]),
            },
        ),
        Phrase("summary.reasons"),
        *(Phrase("summary.reason", {"reason": r}) for r in t.reasons),
        Phrase(
            "summary.plan",
            {
                "days": plan.working_days,
                "finish": day(plan.finish_date),
                "fee": f"{plan.fee.total:,}",
            },
        ),
    ]
    if t.latest_start is not None and t.verdict in (
        Verdict.NOT_NEEDED,
        Verdict.EXPEDITE,
        Verdict.FALSE_URGENCY,
    ):
        lines.append(Phrase("summary.latest_start", {"at": f"{t.latest_start:%Y-%m-%d %H:%M}"}))
    if t.to_change:
        lines.append(Phrase("summary.to_change", {"changes": Items(t.to_change)}))
    if must_do:
        lines.append(Phrase("summary.must_do", {"items": Items(tuple(must_do))}))
    lines += [Phrase("summary.flag", {"flag": Msg(FLAG_LABELS[f])}) for f in t.flags]
    lines.append(Phrase("summary.workdays"))
    return lines
