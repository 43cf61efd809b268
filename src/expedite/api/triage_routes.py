"""Triage over the API: a stateless what-if, and triage of a case (stored)."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from expedite import clock
from expedite.cases import selectors
from expedite.cases.plans import current_catalog, service_definition
from expedite.cases.triage import TriageInput, case_triage, run_triage, triage_to_dict
from expedite.cases.triage_text import readable
from expedite.domain.triage import Consequence

from .schemas import ErrorOut

router = Router(tags=["triage"])


class TriageIn(Schema):
    deadline: dt.date = Field(..., description="确切的截止日期")
    written_notice: bool = Field(..., description="是否有书面通知")
    stage: str = Field("", description="目前卡在哪个环节")
    materials_complete: bool = Field(default=True, description="今天能否提交完整材料")
    materials_expected: dt.date | None = Field(None, description="材料预计交齐日期")
    consequence: Consequence = Field(Consequence.COMFORT_ONLY, description="逾期后果")
    facts: dict[str, bool | float] = Field(
        {},
        description="规则所需的事实（名称: true/false 或数字）；缺少的见 422 的 missing_facts",
    )
    preconditions: list[str] = []
    flags: list[str] = []


class FactQuestionOut(Schema):
    code: str = Field(..., description="事实名称，即 facts 的键")
    question: str = Field(..., description="要回答的问题")
    type: str = Field(..., description="boolean | number（不小于 0）")
    expected: str = Field(..., description="命令行的写法：true|false 或 <数字>")


class TriageErrorOut(ErrorOut):
    missing_facts: list[FactQuestionOut] = Field([], description="规则还需要、但没有回答的全部问题")


class WhatIfIn(TriageIn):
    service: str
    value_tier: str = "standard"


def _input(payload: TriageIn) -> TriageInput:
    return TriageInput(
        deadline=payload.deadline,
        written_notice=payload.written_notice,
        stage=payload.stage,
        materials_complete=payload.materials_complete,
        materials_expected=payload.materials_expected,
        consequence=payload.consequence.value,
        facts=dict(payload.facts),
        preconditions=tuple(payload.preconditions),
        flags=tuple(payload.flags),
    )


@router.post("/triage", response={200: dict[str, Any], 404: ErrorOut, 422: TriageErrorOut})
def what_if(request, payload: WhatIfIn):
    """Triage without storing anything: the verdict, reasons, fired rules and options.

    Reasons and changes are `{code, params, text}`: the code and parameters are stable, the
    text and labels follow Accept-Language (Chinese unless English is asked for)."""
    service = service_definition(payload.service)
    result = run_triage(
        service_code=service.code,
        data=_input(payload),
        now=clock.now(),
        value_tier=payload.value_tier,
    )
    return readable(
        triage_to_dict(
            result,
            catalog=current_catalog(),
            client="",
            service_name=service.name_zh,
            deadline=payload.deadline,
            tier=payload.value_tier,
            consequence=payload.consequence,
        )
    )


@router.post(
    "/cases/{case_id}/triage",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: TriageErrorOut},
)
def triage_case(request, case_id: int, payload: TriageIn):
    """Triage a case and store the decision (who and when) on it."""
    case = selectors.access_case(user=request.user, pk=case_id)
    case = case_triage(actor=request.user, case=case, data=_input(payload), now=clock.now())
    return readable(case.triage)
