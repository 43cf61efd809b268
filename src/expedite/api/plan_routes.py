"""Plans over the API: what-if plans for any service, and the options of a case."""

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from expedite import clock
from expedite.cases import selectors
from expedite.cases.limits import authority_data
from expedite.cases.plans import (
    case_options,
    catalog_for,
    check_facts,
    current_catalog,
    day_start,
    definition_for,
    facts_from,
    next_working_start,
    options_to_dict,
    service_definition,
)
from expedite.cases.words import catalog_labels
from expedite.domain.planning import options
from expedite.workdays.selectors import firm_calendar

from .schemas import ErrorOut

router = Router(tags=["plans"])


class Facts(Schema):
    preconditions: list[str] = Field(
        [], description="前提条件代码（已满足的），见目录 preconditions"
    )
    flags: list[str] = Field([], description="情形，例如 likely-rejection（可能被驳回）")
    missing_materials: list[str] = Field([], description="尚缺的材料代码；第三方出具的计入准备时间")
    unmet_prerequisites: list[str] = Field([], description="未满足的前提事项；先办补救步骤")
    materials_expected: dt.date | None = Field(None, description="客户材料预计交齐日期")


class PlanRequest(Facts):
    service: str
    start: dt.date | None = Field(None, description="开始日期；默认从现在（或下一个工作时段）开始")
    deadline: dt.date | None = None


def _facts(service, catalog, facts: Facts):
    check_facts(
        service,
        catalog,
        preconditions=facts.preconditions,
        flags=facts.flags,
        missing=facts.missing_materials,
        unmet=facts.unmet_prerequisites,
    )
    return facts_from(
        preconditions=facts.preconditions,
        flags=facts.flags,
        missing_materials=facts.missing_materials,
        unmet_prerequisites=facts.unmet_prerequisites,
        materials_expected=day_start(facts.materials_expected)
        if facts.materials_expected
        else None,
    )


def _limits(service) -> dict:
    """The authorities' legal limits and the firm's targets beside the dated options."""
    targets = service.targets
    return {
        "authorities": authority_data(service),
        "targets": {"standard": targets.standard, "expedited": targets.expedited}
        if targets
        else None,
    }


@router.post("", response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut})
def what_if(request, payload: PlanRequest):
    """Standard, recommended (cheapest meeting the deadline) and fastest plans, with reasons."""
    catalog = current_catalog()
    service = service_definition(payload.service, catalog)
    start = day_start(payload.start) if payload.start else next_working_start(clock.now())
    facts = _facts(service, catalog, payload)
    result = options(service, start, firm_calendar(), deadline=payload.deadline, facts=facts)
    return {**catalog_labels(options_to_dict(result, catalog)), **_limits(service)}


case_router = Router(tags=["cases"])


@case_router.get("/{case_id}/plan", response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut})
def case_plan(request, case_id: int, facts: Query[Facts]):
    """The options of a case from now to its requested deadline."""
    case = selectors.access_case(user=request.user, pk=case_id)
    catalog = catalog_for(case)
    service = definition_for(case)
    result = case_options(case, facts=_facts(service, catalog, facts), now=clock.now())
    return {**catalog_labels(options_to_dict(result, catalog)), **_limits(service)}
