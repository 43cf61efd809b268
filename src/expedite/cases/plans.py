"""Plans for the product: the catalog in force, a case's options, and their JSON form."""

from __future__ import annotations

import datetime as dt
import threading

from expedite.catalog import default_catalog_text
from expedite.domain.catalog import Catalog, Risk, ServiceType, parse_catalog
from expedite.domain.errors import NotFound, ValidationFailed, gettext_noop
from expedite.domain.planning import (
    Fee,
    LeverChoice,
    Option,
    Options,
    Plan,
    PlanFacts,
    PlannedStep,
    options,
)
from expedite.domain.verdict_text import options_summary
from expedite.workdays.selectors import firm_calendar

from .models import Case, CatalogVersion
from .words import say

_lock = threading.Lock()
_cache: dict[int, Catalog] = {}


def _version(pk: int) -> Catalog:
    with _lock:
        found = _cache.get(pk)
    if found is None:
        text = CatalogVersion.objects.get(pk=pk).text
        # Stored versions may predate a field now required; they stay readable.
        found = parse_catalog(text, source=f"catalog v{pk}", strict=False)
        with _lock:
            if len(_cache) > 8:
                _cache.clear()
            _cache[pk] = found
    return found


def current_catalog() -> Catalog:
    """The newest loaded catalog (parsed once per process and version), else the default."""
    latest = CatalogVersion.objects.order_by("-pk").values_list("pk", flat=True).first()
    if latest is None:
        return parse_catalog(default_catalog_text(), source="default")
    return _version(latest)


def catalog_for(case: Case) -> Catalog:
    """The catalog a case was opened under, so its plans and quotes stay as promised."""
    return _version(case.catalog_version_id) if case.catalog_version_id else current_catalog()


def service_definition(code: str, catalog: Catalog | None = None) -> ServiceType:
    try:
        return (catalog or current_catalog()).get(code)
    except KeyError:
        raise NotFound(gettext_noop("服务目录中没有“%(code)s”。"), params={"code": code}) from None


def definition_for(case: Case) -> ServiceType:
    return service_definition(case.service.code, catalog_for(case))


def next_working_start(now: dt.datetime) -> dt.datetime:
    """Work on something that arrives now can start at this instant (now, or when work resumes)."""
    cal = firm_calendar()
    return cal.at_work_clock(cal.work_clock(now), starting=True)


def day_start(day: dt.date) -> dt.datetime:
    cal = firm_calendar()
    first = cal.hours.windows[0][0]
    return dt.datetime.combine(day, first, tzinfo=cal.tz)


def check_facts(
    service: ServiceType, catalog: Catalog, *, preconditions=(), flags=(), missing=(), unmet=()
) -> None:
    """Refuse codes this service does not know, naming them (a typo must not pass silently)."""
    known = {
        "preconditions": (set(dict(catalog.preconditions)), preconditions),
        "flags": ({s.when for s in service.steps if s.when}, flags),
        "missing_materials": ({m.code for m in service.materials}, missing),
        "unmet_prerequisites": ({p.code for p in service.prerequisites}, unmet),
    }
    for field, (allowed, given) in known.items():
        wrong = [g for g in given if g not in allowed]
        if wrong:
            raise ValidationFailed(
                gettext_noop("“%(service)s”不认识这些代码：%(codes)s（可用：%(allowed)s）。"),
                field=field,
                params={
                    "service": service.name_zh,
                    "codes": "、".join(wrong),
                    "allowed": "、".join(sorted(allowed)) or "—",
                },
            )


def facts_from(
    *,
    preconditions=(),
    flags=(),
    missing_materials=(),
    unmet_prerequisites=(),
    materials_expected: dt.datetime | None = None,
) -> PlanFacts:
    return PlanFacts(
        preconditions=frozenset(preconditions),
        flags=frozenset(flags),
        missing_materials=frozenset(missing_materials),
        unmet_prerequisites=frozenset(unmet_prerequisites),
        materials_expected=materials_expected,
    )


def case_options(case: Case, *, facts: PlanFacts, now: dt.datetime) -> Options:
    """The options for a case from now (or when work next resumes) to its requested deadline."""
    service = definition_for(case)
    start = next_working_start(now)
    return options(service, start, firm_calendar(), deadline=case.requested_deadline, facts=facts)


# -- JSON -------------------------------------------------------------------------------------


def plan_to_dict(plan: Plan) -> dict:
    return {
        "service": plan.service,
        "start": plan.start.isoformat(),
        "finish": plan.finish_date.isoformat(),
        "finish_at": plan.finish.isoformat(),
        "working_days": plan.working_days,
        # Without the authorities' calendar time and the waits for application windows.
        "working_part_days": plan.working_part_days,
        "expected_windows": list(plan.expected_windows),
        "critical_path": list(plan.critical_path),
        "bottleneck": plan.bottleneck,
        "levers": list(plan.levers),
        "fee": {
            "base": plan.fee.base,
            "surcharge": plan.fee.surcharge,
            "levers": plan.fee.levers,
            "total": plan.fee.total,
        },
        "staff_hours": plan.staff_hours,
        "risk": plan.risk.name.lower(),
        "provisional": plan.provisional,
        "steps": [
            {
                "code": s.code,
                "name": s.name,
                "kind": s.kind,
                "track": s.track,
                "role": s.role,
                "skill": s.skill,
                "milestone": s.milestone,
                "start": s.start.isoformat(),
                "finish": s.finish.isoformat(),
                "critical": s.critical,
                "levers": list(s.levers),
                "depends_on": list(s.depends_on),
            }
            for s in plan.steps
        ],
    }


def plan_from_dict(data: dict) -> Plan:
    """A plan stored by `plan_to_dict` (a triage's option), back as the planner's Plan, for
    pictures and sums; the working time between its start and finish is measured anew on the
    calendar in force. Raises KeyError or ValueError for a dict that is not such a plan."""
    steps = []
    for s in data["steps"]:
        start = dt.datetime.fromisoformat(s["start"])
        finish = dt.datetime.fromisoformat(s["finish"])
        steps.append(
            PlannedStep(
                code=s["code"],
                name=s["name"],
                track=s.get("track", ""),
                role=s.get("role", ""),
                skill=s.get("skill", ""),
                milestone=s.get("milestone", ""),
                kind=s.get("kind", "step"),
                depends_on=tuple(s.get("depends_on", ())),
                start=start,
                finish=finish,
                duration=finish - start,
                critical=bool(s.get("critical")),
                levers=tuple(s.get("levers", ())),
            )
        )
    start = dt.datetime.fromisoformat(data["start"])
    if data.get("finish_at"):
        finish = dt.datetime.fromisoformat(data["finish_at"])
    else:  # "finish" is only the day
        finish = max((s.finish for s in steps), default=start)
    fee = data.get("fee") or {}
    cal = firm_calendar()
    return Plan(
        service=data.get("service", ""),
        levers=tuple(data.get("levers", ())),
        steps=tuple(steps),
        start=start,
        finish=finish,
        working_days=int(data.get("working_days", 0)),
        critical_path=tuple(data.get("critical_path", ())),
        bottleneck=data.get("bottleneck", ""),
        fee=Fee(
            base=fee.get("base", 0), surcharge=fee.get("surcharge", 0), levers=fee.get("levers", 0)
        ),
        staff_hours=float(data.get("staff_hours", 0)),
        risk=Risk[str(data.get("risk", "low")).upper()],
        provisional=bool(data.get("provisional")),
        span_us=max(0, cal.work_clock(finish) - cal.work_clock(start)),
        working_part_days=int(data.get("working_part_days", data.get("working_days", 0))),
        expected_windows=tuple(data.get("expected_windows", ())),
    )


def _choice(c: LeverChoice) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "kind": c.kind.value,
        "reason": c.reason,
        "saves_hours": round(c.saves / dt.timedelta(hours=1), 2),
        "cost": c.cost_cny,
        "risk": c.risk.name.lower(),
    }


def option_to_dict(option: Option) -> dict:
    return {
        "key": option.key,
        **plan_to_dict(option.plan),
        "meets_deadline": option.meets_deadline,
        "late_by_workdays": option.late_by_workdays,
        "latest_start": option.latest_start.isoformat() if option.latest_start else None,
        "reasons": [_choice(c) for c in option.choices],
    }


def options_to_dict(result: Options, catalog: Catalog) -> dict:
    return {
        "service": result.service,
        "deadline": result.deadline.isoformat() if result.deadline else None,
        "expedite_needed": result.expedite_needed,
        "summary": say(options_summary(result).as_json()),
        "summary_phrase": options_summary(result).as_json(),
        "standard": option_to_dict(result.standard),
        "recommended": option_to_dict(result.recommended) if result.recommended else None,
        "fastest": option_to_dict(result.fastest),
        "unavailable": [
            {
                "code": lever.code,
                "name": lever.name,
                "missing": [{"code": m, "name": catalog.precondition_name(m)} for m in missing],
            }
            for lever, missing in result.unavailable
        ],
    }
