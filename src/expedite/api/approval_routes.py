"""Approvals over the API: a case's requests, asking for one, deciding one."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.approvals import selectors, services
from expedite.approvals.models import ApprovalRequest
from expedite.cases import selectors as case_selectors
from expedite.domain.errors import NotAllowed, NotFound
from expedite.domain.roles import Capability

from .schemas import ErrorOut

router = Router(tags=["approvals"])


class ApprovalIn(Schema):
    action: str = Field(..., description="refund | surcharge_waiver | accept_infeasible")
    amount: Decimal | None = Field(None, description="金额（元），退税和减免加急费必填")
    justification: str = Field(..., description="申请理由")
    blocks: str | None = Field(None, description="审批前不能改为的状态；默认按审批事项")


class DecisionIn(Schema):
    grant: bool = Field(..., description="true 批准，false 驳回")
    reason: str = Field(..., description="审批意见（必填）")


def _out(row: ApprovalRequest, user) -> dict[str, Any]:
    return {
        "id": row.pk,
        "case": row.case_id,
        "action": row.action,
        "action_label": str(row.get_action_display()),
        "amount": str(row.amount) if row.amount is not None else None,
        "blocks": row.blocks,
        "justification": row.justification,
        "requested_by": row.requested_by.get_username(),
        "requested_at": row.requested_at.isoformat(),
        "required_role": row.required_role,
        "status": row.status,
        "decided_by": row.decided_by.get_username() if row.decided_by else None,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decision_reason": row.decision_reason,
        "may_decide": selectors.may_decide(user, row),
    }


@router.get("/cases/{case_id}/approvals", response={200: list[dict[str, Any]], 404: ErrorOut})
def case_approvals(request, case_id: int):
    case = case_selectors.access_case(user=request.user, pk=case_id)
    return [_out(r, request.user) for r in selectors.case_requests(case)]


@router.post(
    "/cases/{case_id}/approvals",
    response={201: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def request_approval(request, case_id: int, payload: ApprovalIn):
    case = case_selectors.access_case(user=request.user, pk=case_id)
    row = services.approval_request(
        actor=request.user,
        case=case,
        action=payload.action,
        amount=payload.amount,
        justification=payload.justification,
        blocks=payload.blocks,
        now=clock.now(),
    )
    return Status(201, _out(row, request.user))


@router.post(
    "/approvals/{approval_id}/decision",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def decide(request, approval_id: int, payload: DecisionIn):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise NotAllowed(_("您没有查看加急单的权限。"))
    row = ApprovalRequest.objects.filter(pk=approval_id).first()
    if row is None:
        raise NotFound(_("找不到该审批申请。"))
    row = services.approval_decide(
        actor=request.user,
        request=row,
        grant=payload.grant,
        reason=payload.reason,
        now=clock.now(),
    )
    return _out(row, request.user)
