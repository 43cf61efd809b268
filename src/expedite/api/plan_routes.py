"""Plans over the API: what-if plans for any service, and the options of a case."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from expedite.cases import selectors
from expedite.cases.plans import (
    case_options,
    current_catalog,
    day_start,
    facts_from,
    next_working_start,
    options_to_dict,
    service_definition,
)
from expedite.domain.errors import ValidationFailed, gettext_noop
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


class PlanRequest(Facts):
    service: str
    start: dt.date | None = Field(None, description="开始日期；默认从现在（或下一个工作时段）开始")
    deadline: dt.date | None = None


def _check(facts: Facts) -> None:
    known = dict(current_catalog().preconditions)
    unknown = [p for p in facts.preconditions if p not in known]
    if unknown:
        raise ValidationFailed(
            gettext_noop("未知前提条件：%(codes)s。"),
            field="preconditions",
            params={"codes": "、".join(unknown)},
        )


@router.post("", response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut})
def what_if(request, payload: PlanRequest):
    """Standard, recommended (cheapest meeting the deadline) and fastest plans, with reasons."""
    _check(payload)
    service = service_definition(payload.service)
    start = day_start(payload.start) if payload.start else next_working_start(timezone.now())
    facts = facts_from(
        preconditions=payload.preconditions,
        flags=payload.flags,
        missing_materials=payload.missing_materials,
        unmet_prerequisites=payload.unmet_prerequisites,
    )
    result = options(service, start, firm_calendar(), deadline=payload.deadline, facts=facts)
    return options_to_dict(result, current_catalog())


case_router = Router(tags=["cases"])


@case_router.get("/{case_id}/plan", response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut})
def case_plan(request, case_id: int, facts: Query[Facts]):
    """The options of a case from now to its requested deadline."""
    _check(facts)
    case = selectors.access_case(user=request.user, pk=case_id)
    result = case_options(
        case,
        facts=facts_from(
            preconditions=facts.preconditions,
            flags=facts.flags,
            missing_materials=facts.missing_materials,
            unmet_prerequisites=facts.unmet_prerequisites,
        ),
    )
    return options_to_dict(result, current_catalog())
