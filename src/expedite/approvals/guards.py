"""The lifecycle guard: a move waits for the approvals that hold it back."""

from __future__ import annotations

from expedite.domain.approvals import (
    REFUND_SERVICES,
    ApprovalAction,
    action_name,
    required_role,
    role_name,
)
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError, ValidationFailed, gettext_noop
from expedite.domain.roles import Role

from .models import ApprovalRequest
from .selectors import current_rules, latest_by_action


def approval_guard(case, target: CaseState, actor) -> None:
    """Refuse a move to `target` while a request blocking it is pending or was denied.

    Runs inside the move's transaction with the case row locked, so no decision can slip in
    between this check and the move.
    """
    latest = latest_by_action(case)
    if target == CaseState.IN_PROGRESS and case.state in (
        CaseState.REVIEW.value,
        CaseState.DELIVERED.value,
    ):
        return  # rework after a review: the approvals were about starting the work
    for row in sorted(latest.values(), key=lambda r: (r.requested_at, r.pk)):
        if row.blocks == target.value and row.status in (
            ApprovalRequest.PENDING,
            ApprovalRequest.DENIED,
        ):
            raise ValidationFailed(
                gettext_noop("须经%(role)s审批：%(action)s（%(status)s）。"),
                field="state",
                params={
                    "role": role_name(Role(row.required_role)),
                    "action": action_name(ApprovalAction(row.action)),
                    "status": str(row.get_status_display()),
                },
            )
    if (
        target == CaseState.IN_PROGRESS
        and case.service.code in REFUND_SERVICES
        and getattr(latest.get(ApprovalAction.REFUND), "status", None) != ApprovalRequest.GRANTED
    ):
        raise ValidationFailed(
            gettext_noop("加急退税须先经审批（按退税金额确定审批人），批准后方可开始办理。"),
            field="state",
        )
    if target == CaseState.ACCEPTED and case.verdict == "infeasible":
        row = latest.get(ApprovalAction.ACCEPT_INFEASIBLE)
        if row is None or row.status != ApprovalRequest.GRANTED:
            try:
                role = role_name(
                    required_role(current_rules(), ApprovalAction.ACCEPT_INFEASIBLE, None)
                )
            except DomainError:
                role = role_name(Role.MANAGER)
            raise ValidationFailed(
                gettext_noop(
                    "研判结论为“无法按期完成”，接受前须经%(role)s审批：请先在本页“审批”中申请“%(action)s”。"
                ),
                field="state",
                params={"role": role, "action": action_name(ApprovalAction.ACCEPT_INFEASIBLE)},
            )
