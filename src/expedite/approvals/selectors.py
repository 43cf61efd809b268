"""Reads: the matrix in force, a case's requests, the requests a user may decide."""

from __future__ import annotations

from django.db.models import QuerySet

from expedite.accounts.selectors import user_roles
from expedite.domain.approvals import (
    ApprovalAction,
    ApprovalRule,
    approvable_roles,
    steps_not_needed,
)
from expedite.domain.roles import Role

from .models import ApprovalRequest
from .models import ApprovalRule as RuleRow


def current_rules() -> list[ApprovalRule]:
    return [r.to_domain() for r in RuleRow.objects.all()]


def case_requests(case) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(case=case).select_related("requested_by", "decided_by")


def latest_by_action(case) -> dict[ApprovalAction, ApprovalRequest]:
    """Each action's latest request that was not withdrawn: it is the one that stands.

    A withdrawn request counts as never made; a later request supersedes an earlier decision.
    """
    latest: dict[ApprovalAction, ApprovalRequest] = {}
    rows = (
        ApprovalRequest.objects.filter(case=case)
        .exclude(status=ApprovalRequest.WITHDRAWN)
        .order_by("requested_at", "pk")
    )
    for row in rows:
        latest[ApprovalAction(row.action)] = row
    return latest


def may_decide(user, request: ApprovalRequest) -> bool:
    """Holding the required role or higher, and not the requester (four eyes)."""
    return (
        request.status == ApprovalRequest.PENDING
        and request.requested_by_id != user.pk
        and Role(request.required_role) in approvable_roles(user_roles(user))
    )


def pending_for(user) -> QuerySet[ApprovalRequest]:
    """Pending requests this user may decide, oldest first."""
    roles = approvable_roles(user_roles(user))
    return (
        ApprovalRequest.objects.filter(
            status=ApprovalRequest.PENDING, required_role__in=[r.value for r in roles]
        )
        .exclude(requested_by=user)
        .select_related("case", "case__client", "case__service", "requested_by")
        .order_by("requested_at", "pk")
    )


def requested_by(user) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(status=ApprovalRequest.PENDING, requested_by=user)
        .select_related("case", "case__client", "case__service")
        .order_by("requested_at", "pk")
    )


def steps_not_needed_for(case) -> frozenset[str]:
    """Sign-off steps the case's standing grants make unnecessary (domain.approvals)."""
    return steps_not_needed(
        (action, Role(row.required_role))
        for action, row in latest_by_action(case).items()
        if row.status == ApprovalRequest.GRANTED
    )
