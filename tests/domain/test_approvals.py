"""The authority matrix: who approves what, by amount; a matrix with overlaps or gaps is refused."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expedite.domain.approvals import (
    DEFAULT_RULES,
    ApprovalAction,
    ApprovalRule,
    approvable_roles,
    may_approve,
    required_role,
    validate_rules,
)
from expedite.domain.errors import DomainError, ValidationFailed
from expedite.domain.roles import Role

REFUND = ApprovalAction.REFUND
D = Decimal


def messages(rules, **kwargs):
    return [p.message for p in validate_rules(rules, **kwargs)]


def test_the_firms_defaults_hold_together():
    assert validate_rules(DEFAULT_RULES, actions=list(ApprovalAction)) == []


@pytest.mark.parametrize(
    ("amount", "role"),
    [
        (D("0"), Role.MANAGER),
        (D("49999.99"), Role.MANAGER),
        (D("50000"), Role.GENERAL_MANAGER),
        (D("50000.00"), Role.GENERAL_MANAGER),
        (D("3000000"), Role.GENERAL_MANAGER),
    ],
)
def test_a_refund_under_50000_is_the_department_managers(amount, role):
    assert required_role(DEFAULT_RULES, REFUND, amount) == role


def test_infeasible_acceptance_and_waivers_take_a_manager():
    assert required_role(DEFAULT_RULES, ApprovalAction.ACCEPT_INFEASIBLE, None) == Role.MANAGER
    assert required_role(DEFAULT_RULES, ApprovalAction.SURCHARGE_WAIVER, D(800)) == Role.MANAGER


def test_a_refund_without_an_amount_is_refused_with_the_reason():
    with pytest.raises(ValidationFailed, match="“加急退税”须填写金额") as info:
        required_role(DEFAULT_RULES, REFUND, None)
    assert info.value.field == "amount"
    with pytest.raises(ValidationFailed, match="金额不能为负数"):
        required_role(DEFAULT_RULES, REFUND, D(-1))


def test_an_action_the_matrix_does_not_know_is_refused():
    rules = [r for r in DEFAULT_RULES if r.action != REFUND]
    with pytest.raises(DomainError, match="审批矩阵中没有“加急退税”的规则"):
        required_role(rules, REFUND, D(100))


def test_an_amount_that_two_rules_cover_is_refused():
    rules = [*DEFAULT_RULES, ApprovalRule(REFUND, D(40000), D(60000), Role.MANAGER)]
    with pytest.raises(DomainError, match="没有唯一的规则"):
        required_role(rules, REFUND, D(45000))


def test_overlaps_and_gaps_are_named_in_chinese():
    overlap = [
        ApprovalRule(REFUND, D(0), D(60000), Role.MANAGER),
        ApprovalRule(REFUND, D(50000), None, Role.GENERAL_MANAGER),
    ]
    assert messages(overlap) == ["“加急退税”：0–60,000 元与50,000 元及以上重叠。"]
    gap = [
        ApprovalRule(REFUND, D(0), D(40000), Role.MANAGER),
        ApprovalRule(REFUND, D(50000), None, Role.GENERAL_MANAGER),
    ]
    assert messages(gap) == ["“加急退税”：40,000–50,000 元没有规定审批人（有空档）。"]
    no_top = [ApprovalRule(REFUND, D(0), D(50000), Role.MANAGER)]
    assert messages(no_top) == ["“加急退税”：50,000 元及以上没有规定审批人（有空档）。"]
    no_bottom = [ApprovalRule(REFUND, D(100), None, Role.MANAGER)]
    assert messages(no_bottom) == ["“加急退税”：0–100 元没有规定审批人（有空档）。"]


def test_bad_ranges_roles_and_empty_actions_are_reported():
    assert messages([ApprovalRule(REFUND, D(10), D(10), Role.MANAGER)]) == [
        "“加急退税”：金额范围 10–10 元 无效（上限须大于下限，下限不能为负）。"
    ]
    assert messages([ApprovalRule(REFUND, D(0), None, Role.ADMIN)]) == [
        "“加急退税”0 元及以上：系统管理员不能审批，应为部门经理或总经理。"
    ]
    assert messages([], actions=[REFUND]) == ["“加急退税”没有任何规则：至少要规定一个审批人。"]


def test_a_nested_range_is_an_overlap_not_a_gap():
    rules = [
        ApprovalRule(REFUND, D(0), D(100000), Role.MANAGER),
        ApprovalRule(REFUND, D(10000), D(20000), Role.MANAGER),
        ApprovalRule(REFUND, D(100000), None, Role.GENERAL_MANAGER),
    ]
    assert messages(rules) == ["“加急退税”：0–100,000 元与10,000–20,000 元重叠。"]


def test_the_general_manager_approves_what_a_manager_may_and_the_administrator_nothing():
    assert may_approve({Role.GENERAL_MANAGER}, Role.MANAGER)
    assert may_approve({Role.GENERAL_MANAGER}, Role.GENERAL_MANAGER)
    assert may_approve({Role.MANAGER}, Role.MANAGER)
    assert not may_approve({Role.MANAGER}, Role.GENERAL_MANAGER)
    assert not may_approve({Role.ADMIN}, Role.MANAGER)
    assert not may_approve({Role.SUPERVISOR, Role.LIAISON}, Role.MANAGER)
    assert approvable_roles({Role.GENERAL_MANAGER}) == {Role.MANAGER, Role.GENERAL_MANAGER}
    assert approvable_roles({Role.MANAGER, Role.ADMIN}) == {Role.MANAGER}
    assert approvable_roles({Role.ADMIN}) == frozenset()


cents = st.integers(min_value=1, max_value=10**9)
approvers = st.sampled_from([Role.MANAGER, Role.GENERAL_MANAGER])


@st.composite
def tiers(draw):
    """A valid matrix for refunds: cut points from 0 upwards, a role per tier."""
    cuts = sorted(set(draw(st.lists(cents, max_size=5))))
    bounds = [D(0), *(D(c) / 100 for c in cuts), None]
    return [
        ApprovalRule(REFUND, low, high, draw(approvers)) for low, high in itertools.pairwise(bounds)
    ]


@given(tiers(), st.integers(min_value=0, max_value=2 * 10**9))
def test_every_amount_of_a_valid_matrix_has_exactly_one_approver(rules, amount_cents):
    assert validate_rules(rules) == []
    amount = D(amount_cents) / 100
    covering = [r for r in rules if r.covers(amount)]
    assert len(covering) == 1
    assert required_role(rules, REFUND, amount) == covering[0].role


@given(tiers().filter(lambda rules: len(rules) >= 2), st.data())
def test_removing_a_tier_leaves_a_gap_and_widening_one_an_overlap(rules, data):
    i = data.draw(st.integers(min_value=0, max_value=len(rules) - 1))
    assert any("空档" in m for m in messages(rules[:i] + rules[i + 1 :], actions=[REFUND]))
    j = data.draw(st.integers(min_value=0, max_value=len(rules) - 2))
    wider = ApprovalRule(REFUND, rules[j].min_amount, None, rules[j].role)
    assert any("重叠" in m for m in messages([*rules[:j], wider, *rules[j + 1 :]]))
