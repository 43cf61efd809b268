"""Thresholds apply to the total per case and action: splitting never lowers the approver."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expedite.domain.approvals import (
    DEFAULT_RULES,
    ApprovalAction,
    check_may_decide,
    grant_role,
    required_role,
    total_required_role,
)
from expedite.domain.errors import NotAllowed
from expedite.domain.roles import Role

REFUND = ApprovalAction.REFUND
D = Decimal


def test_a_second_refund_of_30000_after_one_of_30000_is_the_general_managers():
    assert total_required_role(DEFAULT_RULES, REFUND, D(30000), already=D(0)) == Role.MANAGER
    assert (
        total_required_role(DEFAULT_RULES, REFUND, D(30000), already=D(30000))
        == Role.GENERAL_MANAGER
    )


def test_the_boundary_counts_the_total():
    assert (
        total_required_role(DEFAULT_RULES, REFUND, D("0.01"), already=D("49999.98")) == Role.MANAGER
    )
    assert (
        total_required_role(DEFAULT_RULES, REFUND, D("0.01"), already=D("49999.99"))
        == Role.GENERAL_MANAGER
    )


def test_an_action_without_an_amount_has_no_total():
    action = ApprovalAction.ACCEPT_INFEASIBLE
    assert total_required_role(DEFAULT_RULES, action, None, already=D(0)) == Role.MANAGER


def test_a_negative_total_so_far_is_a_programming_error():
    with pytest.raises(ValueError, match="already"):
        total_required_role(DEFAULT_RULES, REFUND, D(1), already=D(-1))


def test_a_grant_needs_the_higher_of_the_routing_and_the_total():
    # Routed low, but an earlier grant now makes the total the general manager's.
    assert (
        grant_role(DEFAULT_RULES, REFUND, D(30000), already=D(30000), routed=Role.MANAGER)
        == Role.GENERAL_MANAGER
    )
    # Routed high under a stricter matrix: a later loosening does not lower it.
    assert (
        grant_role(DEFAULT_RULES, REFUND, D(100), already=D(0), routed=Role.GENERAL_MANAGER)
        == Role.GENERAL_MANAGER
    )
    assert (
        grant_role(
            DEFAULT_RULES, ApprovalAction.ACCEPT_INFEASIBLE, None, already=D(0), routed=Role.MANAGER
        )
        == Role.MANAGER
    )


def test_a_manager_granting_a_total_above_their_authority_is_told_the_total():
    with pytest.raises(NotAllowed) as info:
        check_may_decide(
            {Role.MANAGER}, Role.GENERAL_MANAGER, action=REFUND, amount=D(30000), already=D(30000)
        )
    assert info.value.message == (
        "本案“加急退税”此前已申请或已批准 30,000 元，连同此申请共 60,000 元，"
        "须由总经理或更高级别审批，您无权审批。"
    )
    with pytest.raises(NotAllowed) as info:
        check_may_decide(
            {Role.MANAGER}, Role.GENERAL_MANAGER, action=REFUND, amount=D(80000), already=D(0)
        )
    assert info.value.message == "此申请须由总经理或更高级别审批，您无权审批。"
    check_may_decide(
        {Role.GENERAL_MANAGER},
        Role.GENERAL_MANAGER,
        action=REFUND,
        amount=D(30000),
        already=D(30000),
    )


amounts = st.integers(min_value=0, max_value=10**8).map(lambda c: D(c) / 100)


@given(st.lists(amounts, min_size=1, max_size=6))
def test_splitting_never_lowers_the_approver(parts):
    """However a sum is split, the last part is routed as the whole would be."""
    total = sum(parts, D(0))
    already = total - parts[-1]
    assert total_required_role(DEFAULT_RULES, REFUND, parts[-1], already=already) == (
        required_role(DEFAULT_RULES, REFUND, total)
    )
