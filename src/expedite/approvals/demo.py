"""Demo approvals, so /approvals/ shows the feature to the demo manager (chenjing).

- The infeasible demo case (工商变更 by tomorrow) is quoted and waits for the department
  manager to approve accepting it anyway.
- On the VAT credit refund demo case, if the demo has one: a refund of 38,000 CNY (under
  50,000: the department manager signs, not the general manager) was approved and the work
  started.

Only the demo liaison's cases are touched. Idempotent: a request is created only when its case
has none for that action yet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.domain.approvals import ApprovalAction

from .models import ApprovalRequest
from .services import approval_decide, approval_request


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def approvals_demo_load(*, now: dt.datetime) -> int:
    """Create the demo requests that are missing; returns how many were created."""
    liaison, process, manager = _user("zhangmin"), _user("liqiang"), _user("chenjing")
    if not (liaison and process and manager):
        return 0
    created = 0
    infeasible = (
        Case.objects.filter(
            created_by=liaison, verdict="infeasible", state__in=["triaged", "quoted"]
        )
        .order_by("pk")
        .first()
    )
    if (
        infeasible
        and not ApprovalRequest.objects.filter(
            case=infeasible, action=ApprovalAction.ACCEPT_INFEASIBLE.value
        ).exists()
    ):
        if infeasible.state == "triaged":
            infeasible = case_transition(actor=liaison, case=infeasible, to="quoted", now=now)
        approval_request(
            actor=liaison,
            case=infeasible,
            action=ApprovalAction.ACCEPT_INFEASIBLE.value,
            justification="客户书面确认：最快方案晚一个工作日也接受，合同签约可顺延。",
            now=now,
        )
        created += 1
    return created


def demo_refund_signed_off(case: Case, *, now: dt.datetime) -> None:
    """The refund story: under 50,000 CNY, so the department manager signs it off directly
    (不用走总经理签批) before the filing starts. Called while the demo case is accepted."""
    process, manager = _user("liqiang"), _user("chenjing")
    if not (process and manager) or ApprovalRequest.objects.filter(case=case).exists():
        return
    refund = approval_request(
        actor=process,
        case=case,
        action=ApprovalAction.REFUND.value,
        amount=Decimal(38000),
        justification="留抵退税 38,000 元，材料已齐，申请部门经理直接审批后提交税务机关。",
        now=now,
    )
    approval_decide(
        actor=manager,
        request=refund,
        grant=True,
        reason="5 万元以下，部门经理直接审批，不走总经理签批。",
        now=now,
    )
