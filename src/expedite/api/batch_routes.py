"""Batches over the API: one request for several companies, and the batch's one plan."""

import datetime as dt

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from expedite import clock
from expedite.batches import selectors, services
from expedite.cases.triage import TriageInput
from expedite.domain.triage import Consequence

from .openapi import BoundedLimitOffset
from .schemas import ErrorOut

router = Router(tags=["batches"])


class BatchCompanyIn(Schema):
    client_id: int = Field(..., description="公司（已登记的客户）")
    facts: dict[str, bool | float] = Field(
        {}, description="这家公司与整批不同的事实回答（覆盖 triage.facts 的同名项）"
    )


class BatchAnswersIn(Schema):
    """The triage answers shared by every company; the deadline is the batch's."""

    written_notice: bool = Field(..., description="是否有书面通知")
    stage: str = Field("", description="目前卡在哪个环节")
    materials_complete: bool = Field(default=True, description="今天能否提交完整材料")
    materials_expected: dt.date | None = Field(None, description="材料预计交齐日期")
    consequence: Consequence = Field(Consequence.COMFORT_ONLY, description="逾期后果")
    facts: dict[str, bool | float] = Field(
        {}, description="规则所需的事实（名称: true/false 或数字）"
    )
    preconditions: list[str] = []
    flags: list[str] = []


class BatchIn(Schema):
    companies: list[BatchCompanyIn] = Field(
        ..., description="至少 2 家、至多 30 家公司，每家一张加急单，按此顺序"
    )
    requester_contact_id: int = Field(..., description="委托人：已登记的客户联系人")
    service: str = Field(..., description="服务事项代码，见 GET /services")
    requested_deadline: dt.date
    reason: str
    triage: BatchAnswersIn | None = Field(
        None, description="一并研判每家公司的回答；不填则各加急单为草稿，稍后研判"
    )


class RequesterOut(Schema):
    contact_id: int
    name: str
    client_id: int
    client_name: str


class BatchCaseOut(Schema):
    case_id: int
    reference: str
    client_id: int
    client_name: str
    state: str
    verdict: str = Field(..., description="研判结论；未研判为空")
    planned_finish: dt.datetime | None = Field(
        ..., description="计划完成：已研判的按所选方案，未研判的按常规流程从现在估算"
    )
    plan_promised: bool = Field(..., description="planned_finish 是否来自研判所选的方案")
    projected_finish: dt.datetime | None = Field(..., description="按实际进度预计的完成时间")
    finish: dt.datetime | None = Field(..., description="有进度预计时取预计，否则取计划")
    counts: bool = Field(..., description="是否计入整批完成日（已取消、已婉拒的不计入）")
    bottleneck: bool = Field(..., description="是否为整批的瓶颈（完成最晚）")


class BatchSummaryOut(Schema):
    id: int
    reference: str
    service: str
    requested_deadline: dt.date
    requester: RequesterOut
    created_at: dt.datetime

    @staticmethod
    def resolve_service(obj) -> str:
        return obj.service.code

    @staticmethod
    def resolve_requester(obj) -> dict:
        return _requester(obj)


class BatchOut(Schema):
    id: int
    reference: str
    service: str
    service_name: str
    requested_deadline: dt.date
    reason: str
    requester: RequesterOut
    created_at: dt.datetime
    finish: dt.date | None = Field(..., description="整批完成日：各加急单完成日中最晚的一个")
    meets_deadline: bool | None
    late_by_workdays: int = Field(..., description="整批晚于截止日的工作日数（按期为 0）")
    spare_workdays: int = Field(..., description="整批早于截止日的工作日数")
    bottleneck_case_ids: list[int] = Field(..., description="完成最晚的加急单")
    cases: list[BatchCaseOut] = Field(..., description="调用者有权查看的加急单，按批内顺序")


def _requester(batch) -> dict:
    contact = batch.requester
    return {
        "contact_id": contact.pk,
        "name": contact.name,
        "client_id": contact.client_id,
        "client_name": contact.client.name,
    }


def _batch_out(request, batch) -> dict:
    cases = selectors.batch_cases(batch, user=request.user)
    plan = selectors.batch_plan(batch, cases=cases, now=clock.now())
    o = plan.outlook
    return {
        "id": batch.pk,
        "reference": batch.reference,
        "service": batch.service.code,
        "service_name": batch.service.name_zh,
        "requested_deadline": batch.requested_deadline,
        "reason": batch.reason,
        "requester": _requester(batch),
        "created_at": batch.created_at,
        "finish": o.finish_date,
        "meets_deadline": o.meets_deadline,
        "late_by_workdays": o.late_by_workdays,
        "spare_workdays": o.spare_workdays,
        "bottleneck_case_ids": list(o.bottlenecks),
        "cases": [
            {
                "case_id": r.case.pk,
                "reference": r.case.reference,
                "client_id": r.case.client_id,
                "client_name": r.case.client.name,
                "state": r.case.state,
                "verdict": r.case.verdict,
                "planned_finish": r.planned_finish,
                "plan_promised": r.promised,
                "projected_finish": r.projected_finish,
                "finish": r.finish,
                "counts": r.counts,
                "bottleneck": plan.is_bottleneck(r),
            }
            for r in plan.rows
        ],
    }


def _answers(payload: BatchIn) -> TriageInput | None:
    a = payload.triage
    if a is None:
        return None
    return TriageInput(
        deadline=payload.requested_deadline,
        written_notice=a.written_notice,
        stage=a.stage,
        materials_complete=a.materials_complete,
        materials_expected=a.materials_expected,
        consequence=a.consequence.value,
        facts=dict(a.facts),
        preconditions=tuple(a.preconditions),
        flags=tuple(a.flags),
    )


@router.get("/batches", response=list[BatchSummaryOut])
@paginate(BoundedLimitOffset)
def list_batches(request):
    """Batches with at least one case the caller may see, newest first."""
    return selectors.batch_list(user=request.user)


@router.post("/batches", response={201: BatchOut, 403: ErrorOut, 422: ErrorOut})
def create_batch(request, payload: BatchIn):
    """One request for several companies: the batch and one case per company, each opened
    (and with `triage` triaged) as POST /cases would. All or nothing: a refused company
    refuses the batch with a 422 naming it, and nothing is created."""
    batch = services.batch_create(
        actor=request.user,
        companies=[
            services.BatchCompany(client_id=c.client_id, facts=dict(c.facts))
            for c in payload.companies
        ],
        requester_contact_id=payload.requester_contact_id,
        service_code=payload.service,
        requested_deadline=payload.requested_deadline,
        reason=payload.reason,
        now=clock.now(),
        triage=_answers(payload),
    )
    return Status(201, _batch_out(request, batch))


@router.get("/batches/{batch_id}", response={200: BatchOut, 404: ErrorOut})
def get_batch(request, batch_id: int):
    """The batch's plan: each case's planned and projected finish, the batch's finish (the
    latest), whether it meets the deadline, and its bottleneck."""
    batch = selectors.access_batch(user=request.user, pk=batch_id)
    return _batch_out(request, batch)
