"""Approval requests: request, decide (four eyes, by authority), withdraw.

Each is one transaction with one audit event; refused input changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can, user_roles
from expedite.audit.services import audit_record
from expedite.cases.lifecycle import STATE_NAMES
from expedite.cases.models import Case
from expedite.domain.approvals import (
    AMOUNT_ACTIONS,
    DEFAULT_BLOCKS,
    ApprovalAction,
    action_name,
    check_may_decide,
    grant_role,
    may_approve,
    total_required_role,
)
from expedite.domain.audit import AuditKind
from expedite.domain.cases import FINAL, CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.phrases import Msg, Phrase
from expedite.domain.roles import Capability, Role
from expedite.domain.text import clean_text
from expedite.notify.handoffs import hand_off, hand_off_done, staff_with

from . import messages  # noqa: F401 - registers the phrases of the hand-offs below
from .models import ApprovalRequest
from .selectors import current_rules

MAX_AMOUNT = Decimal("1000000000")


def parse_amount(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationFailed(gettext_noop("金额应为数字。"), field="amount") from None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise ValidationFailed(gettext_noop("金额不合理。"), field="amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(gettext_noop("金额最多精确到分。"), field="amount")
    return value.quantize(Decimal("0.01"))


def _action(raw: str) -> ApprovalAction:
    try:
        return ApprovalAction(raw)
    except ValueError:
        raise ValidationFailed(_("请选择审批事项。"), field="action") from None


def _already(case_id: int, action: str, *, besides: int | None = None) -> Decimal:
    """What is asked for or approved on the case for the action: pending and granted requests
    (denied and withdrawn ones were never approved), besides the one being decided."""
    rows = ApprovalRequest.objects.filter(
        case_id=case_id,
        action=action,
        status__in=[ApprovalRequest.PENDING, ApprovalRequest.GRANTED],
        amount__isnull=False,
    )
    if besides is not None:
        rows = rows.exclude(pk=besides)
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _payload(row: ApprovalRequest) -> dict:
    return {
        "approval": row.pk,
        "action": row.action,
        "amount": str(row.amount) if row.amount is not None else None,
        "blocks": row.blocks,
        "required_role": row.required_role,
    }


@transaction.atomic
def approval_request(
    *,
    actor,
    case: Case,
    action: str,
    amount=None,
    justification: str,
    now: dt.datetime,
    blocks: str | None = None,
) -> ApprovalRequest:
    """Ask for an approval; the approver follows from the matrix in force now."""
    if not user_can(actor, Capability.MOVE_CASE):
        raise NotAllowed(_("您的角色无权为加急单申请审批。"))
    # Lock the case: two requests for the same action cannot both pass the check below.
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if CaseState(case.state) in FINAL:
        raise ValidationFailed(_("加急单已结束，不能再申请审批。"), field="action")
    kind = _action(action)
    value = parse_amount(amount)
    if value is not None and kind not in AMOUNT_ACTIONS:
        raise ValidationFailed(
            gettext_noop("“%(action)s”不涉及金额，请不要填写金额。"),
            field="amount",
            params={"action": action_name(kind)},
        )
    if kind == ApprovalAction.ACCEPT_INFEASIBLE and case.verdict != "infeasible":
        raise ValidationFailed(
            _("该加急单的研判结论不是“无法按期完成”，无需此项审批。"), field="action"
        )
    # What an approval holds back is fixed per action: a requester cannot point a new request
    # at a state already passed and so lift a denial.
    target = DEFAULT_BLOCKS[kind]
    if blocks and blocks != target.value:
        raise ValidationFailed(
            gettext_noop("“%(action)s”审批拦住的是“%(state)s”，不能改为其他状态。"),
            field="blocks",
            params={"action": action_name(kind), "state": str(STATE_NAMES[target.value])},
        )
    # The thresholds apply to the case's total for the action, so splitting a refund does not
    # lower its approver; the case lock above keeps two requests from both counting without
    # the other.
    already = _already(case.pk, kind.value) if value is not None else Decimal(0)
    role = total_required_role(current_rules(), kind, value, already=already)
    justification = clean_text(
        justification, field="justification", label=gettext_noop("申请理由"), max_length=2000
    )
    if ApprovalRequest.objects.filter(
        case=case, action=kind.value, status=ApprovalRequest.PENDING
    ).exists():
        raise ValidationFailed(
            gettext_noop("该加急单已有待审批的“%(action)s”申请，请等待审批或撤回后再申请。"),
            field="action",
            params={"action": action_name(kind)},
        )
    row = ApprovalRequest.objects.create(
        case=case,
        action=kind.value,
        amount=value,
        blocks=target.value,
        justification=justification,
        requested_by=actor,
        requested_at=now,
        required_role=role.value,
    )
    audit_record(
        kind=AuditKind.APPROVAL_REQUESTED,
        actor=actor,
        case=case,
        payload={
            **_payload(row),
            "total": str(value + already) if value is not None else None,
            "justification": justification,
        },
    )
    # Those holding the required role decide; only if nobody does, whoever stands above it.
    deciders = staff_with(roles=(role,)) or staff_with(holds=lambda held: may_approve(held, role))
    hand_off(
        key=f"approval:requested:{row.pk}",
        users=deciders,
        case=case,
        panel="approvals",
        subject=Phrase(
            "approvals.requested.subject",
            {"action": Msg(action_name(kind)), "ref": case.reference, "client": case.client.name},
        ),
        body=Phrase(
            "approvals.requested.body",
            {
                "who": staff_display_name(actor),
                "action": Msg(action_name(kind)),
                "amount": Phrase("approvals.amount", {"amount": value})
                if value is not None
                else "",
                "why": justification,
            },
        ),
        now=now,
        besides={actor.pk},
    )
    return row


def _locked(request: ApprovalRequest) -> ApprovalRequest:
    # Only the request row is locked: two deciders cannot both see it pending.
    return (
        ApprovalRequest.objects.select_for_update(of=("self",), no_key=True)
        .select_related("case", "requested_by", "decided_by")
        .get(pk=request.pk)
    )


def _decided(row: ApprovalRequest) -> ValidationFailed:
    who = staff_display_name(row.decided_by) or staff_display_name(row.requested_by)
    return ValidationFailed(
        gettext_noop("该申请已由%(who)s处理（%(status)s），不能再次操作。"),
        field="status",
        params={"who": who, "status": str(row.get_status_display())},
    )


# Apps above act on a decision in its transaction (the work app drops a sign-off step the
# grant made unnecessary and re-plans): (request, actor, now).
DecisionFollower = Callable[[ApprovalRequest, Any, dt.datetime], None]
_FOLLOWERS: list[DecisionFollower] = []


def register_decision_follower(follower: DecisionFollower) -> DecisionFollower:
    if follower not in _FOLLOWERS:
        _FOLLOWERS.append(follower)
    return follower


@transaction.atomic
def approval_decide(
    *, actor, request: ApprovalRequest, grant: bool, reason: str, now: dt.datetime
) -> ApprovalRequest:
    """Grant or deny, with a reason; by someone holding the required role or higher, never
    the requester."""
    row = _locked(request)
    if row.status != ApprovalRequest.PENDING:
        raise _decided(row)
    if row.requested_by_id == actor.pk:
        raise NotAllowed(_("不能审批自己提交的申请，须由他人审批。"))
    kind = ApprovalAction(row.action)
    routed = Role(row.required_role)
    if grant:
        # Granting answers for the case's total now: a request routed before an earlier grant
        # counted, or under a matrix since tightened, goes to the authority for the total.
        already = _already(row.case_id, row.action, besides=row.pk)
        needed = grant_role(current_rules(), kind, row.amount, already=already, routed=routed)
    else:
        already, needed = Decimal(0), routed
    check_may_decide(user_roles(actor), needed, action=kind, amount=row.amount, already=already)
    reason = clean_text(
        reason, field="reason", label=gettext_noop("审批意见"), max_length=2000, required=True
    )
    row.status = ApprovalRequest.GRANTED if grant else ApprovalRequest.DENIED
    row.decided_by = actor
    row.decided_at = now
    row.decision_reason = reason
    # The authority the grant needed, which may be above the one it was routed to.
    row.required_role = needed.value
    row.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "required_role"]
    )
    audit_record(
        kind=AuditKind.APPROVAL_GRANTED if grant else AuditKind.APPROVAL_DENIED,
        actor=actor,
        case=row.case,
        payload={**_payload(row), "reason": reason},
    )
    hand_off_done(f"approval:requested:{row.pk}", now=now)
    for follower in _FOLLOWERS:
        follower(row, actor, now)
    names = {
        "action": Msg(action_name(kind)),
        "ref": row.case.reference,
        "client": row.case.client.name,
    }
    hand_off(
        key=f"approval:decided:{row.pk}",
        users=[row.requested_by],
        case=row.case,
        panel="approvals",
        subject=Phrase("approvals.granted.subject" if grant else "approvals.denied.subject", names),
        body=Phrase("approvals.decided.body", {"who": staff_display_name(actor), "reason": reason}),
        now=now,
        besides={actor.pk},
    )
    return row


@transaction.atomic
def approval_withdraw(*, actor, request: ApprovalRequest, now: dt.datetime) -> ApprovalRequest:
    """The requester takes a pending request back; it then counts as never made."""
    row = _locked(request)
    if row.status != ApprovalRequest.PENDING:
        raise _decided(row)
    if row.requested_by_id != actor.pk:
        raise NotAllowed(_("只有申请人本人可以撤回申请。"))
    row.status = ApprovalRequest.WITHDRAWN
    row.decided_at = now
    row.save(update_fields=["status", "decided_at"])
    audit_record(
        kind=AuditKind.APPROVAL_WITHDRAWN, actor=actor, case=row.case, payload=_payload(row)
    )
    return row
