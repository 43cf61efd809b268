"""Demo approvals, so /approvals/ shows the feature to the demo manager (chenjing).

- The infeasible demo case (工商变更 by tomorrow) is quoted and waits for the department
  manager to approve accepting it anyway.
- A VAT credit refund of 38,000 CNY (under 50,000: the department manager signs, not the
  general manager) was approved and the work started.

Idempotent: cases and requests are looked up first and created only when missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from expedite.cases.lifecycle import case_allowed, case_transition
from expedite.cases.models import Case, Client
from expedite.cases.services import case_create
from expedite.cases.triage import TriageInput, case_triage
from expedite.domain.approvals import ApprovalAction
from expedite.workdays.selectors import firm_calendar

from .models import ApprovalRequest
from .services import approval_decide, approval_request

REFUND_CLIENT_USCC_PREFIX = "91310115MA1K4DEM0"  # 上海鲜达电子商务有限公司 in ops.demo
REFUND_REASON = "增值税留抵退税 3.8 万元，客户月底发工资前需要这笔资金周转。"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def approvals_demo_load(*, today: dt.date) -> int:
    """Create the demo requests that are missing; returns how many were created."""
    liaison, process, manager = _user("zhangmin"), _user("liqiang"), _user("chenjing")
    if not (liaison and process and manager):
        return 0
    created = 0
    infeasible = (
        Case.objects.filter(verdict="infeasible", state__in=["triaged", "quoted"])
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
            infeasible = case_transition(
                actor=liaison, case=infeasible, to="quoted", now=timezone.now()
            )
        approval_request(
            actor=liaison,
            case=infeasible,
            action=ApprovalAction.ACCEPT_INFEASIBLE.value,
            justification="客户书面确认：最快方案晚一个工作日也接受，合同签约可顺延。",
            now=timezone.now(),
        )
        created += 1
    client = Client.objects.filter(uscc__startswith=REFUND_CLIENT_USCC_PREFIX).first()
    if client is None:
        return created
    case = Case.objects.filter(
        client=client, service__code="vat-credit-refund", reason=REFUND_REASON
    ).first()
    if case is None:
        deadline = firm_calendar().add_workdays(today, 12)
        case = case_create(
            actor=liaison,
            client_id=client.pk,
            service_code="vat-credit-refund",
            requested_deadline=deadline,
            reason=REFUND_REASON,
        )
        case = case_triage(
            actor=liaison,
            case=case,
            data=TriageInput(
                deadline=deadline,
                written_notice=True,
                consequence="lost_business",
                preconditions=("refund-under-50k",),
            ),
            now=timezone.now(),
        )
    if not ApprovalRequest.objects.filter(case=case, action=ApprovalAction.REFUND.value).exists():
        for state in ("quoted", "accepted"):
            if state in _allowed(case):
                case = case_transition(actor=liaison, case=case, to=state, now=timezone.now())
        refund = approval_request(
            actor=process,
            case=case,
            action=ApprovalAction.REFUND.value,
            amount=Decimal(38000),
            justification="留抵退税 38,000 元，材料已齐，申请部门经理直接审批后提交税务机关。",
            now=timezone.now(),
        )
        approval_decide(
            actor=manager,
            request=refund,
            grant=True,
            reason="5 万元以下，部门经理直接审批，不走总经理签批。",
            now=timezone.now(),
        )
        if "in_progress" in _allowed(case):
            case_transition(actor=process, case=case, to="in_progress", now=timezone.now())
        created += 1
    return created


def _allowed(case) -> list[str]:
    return case_allowed(Case.objects.get(pk=case.pk))
