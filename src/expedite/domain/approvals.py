"""The authority matrix: who must approve an action, by amount.

The firm's rule: "减少审批层级，比如5万元以下的加急退税，由部门经理直接审批，不用走总经理签批".
The matrix is data (editable by administrators); this module only reads it. Each action's
rules cover the amounts from 0 upwards without overlap or gap, each range inclusive at its
lower end and exclusive at its upper end (None: no upper end).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .cases import CaseState
from .errors import DomainError, NotAllowed, ValidationFailed, gettext_noop
from .roles import ROLE_NAMES_ZH, Role


class ApprovalAction(enum.StrEnum):
    REFUND = "refund"  # 加急退税
    SURCHARGE_WAIVER = "surcharge_waiver"  # 减免加急费
    ACCEPT_INFEASIBLE = "accept_infeasible"  # 接受无法按期完成的加急单


ACTION_NAMES_ZH: dict[ApprovalAction, str] = {
    ApprovalAction.REFUND: gettext_noop("加急退税"),
    ApprovalAction.SURCHARGE_WAIVER: gettext_noop("减免加急费"),
    ApprovalAction.ACCEPT_INFEASIBLE: gettext_noop("接受无法按期完成的加急单"),
}

# Actions that are about money: a request for them states the amount.
AMOUNT_ACTIONS = frozenset({ApprovalAction.REFUND, ApprovalAction.SURCHARGE_WAIVER})

# The move each action holds back until it is approved: a refund is signed off before it is
# filed (work starts), a waiver before the client accepts the quote, and so is an infeasible case.
# Services whose work is an expedited refund: filing waits for a granted refund approval.
REFUND_SERVICES = frozenset({"vat-credit-refund"})

DEFAULT_BLOCKS: dict[ApprovalAction, CaseState] = {
    ApprovalAction.REFUND: CaseState.IN_PROGRESS,
    ApprovalAction.SURCHARGE_WAIVER: CaseState.ACCEPTED,
    ApprovalAction.ACCEPT_INFEASIBLE: CaseState.ACCEPTED,
}

# Authority, lowest first. A role approves what any role below it may; the administrator
# runs the system and approves nothing for being one.
AUTHORITY: tuple[Role, ...] = (Role.MANAGER, Role.GENERAL_MANAGER)


@dataclass(frozen=True, slots=True)
class ApprovalRule:
    action: ApprovalAction
    min_amount: Decimal
    max_amount: Decimal | None
    role: Role

    def covers(self, amount: Decimal) -> bool:
        return self.min_amount <= amount and (self.max_amount is None or amount < self.max_amount)


# The firm's defaults (seeded by migration; administrators change them in the admin).
DEFAULT_RULES: tuple[ApprovalRule, ...] = (
    ApprovalRule(ApprovalAction.REFUND, Decimal(0), Decimal(50000), Role.MANAGER),
    ApprovalRule(ApprovalAction.REFUND, Decimal(50000), None, Role.GENERAL_MANAGER),
    ApprovalRule(ApprovalAction.SURCHARGE_WAIVER, Decimal(0), None, Role.MANAGER),
    ApprovalRule(ApprovalAction.ACCEPT_INFEASIBLE, Decimal(0), None, Role.MANAGER),
)


def yuan(amount: Decimal) -> str:
    """50000 → "50,000"; 49999.99 → "49,999.99"."""
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.2f}"


def role_name(role: Role) -> str:
    return ROLE_NAMES_ZH[role]


def action_name(action: ApprovalAction) -> str:
    return ACTION_NAMES_ZH[action]


def _tiered(rules: list[ApprovalRule]) -> bool:
    return len(rules) > 1 or any(r.min_amount > 0 or r.max_amount is not None for r in rules)


def amount_needed(rules: Iterable[ApprovalRule], action: ApprovalAction) -> bool:
    """A money action always states its amount; any action does once the matrix tiers it."""
    return action in AMOUNT_ACTIONS or _tiered([r for r in rules if r.action == action])


def required_role(
    rules: Iterable[ApprovalRule], action: ApprovalAction, amount: Decimal | None
) -> Role:
    """The lowest role that must approve `action` for `amount` (None: no amount given)."""
    action = ApprovalAction(action)
    mine = [r for r in rules if r.action == action]
    if not mine:
        raise DomainError(
            gettext_noop("审批矩阵中没有“%(action)s”的规则，请联系系统管理员。"),
            field="action",
            params={"action": action_name(action)},
        )
    if amount is None:
        if amount_needed(mine, action):
            raise ValidationFailed(
                gettext_noop("“%(action)s”须填写金额，审批人按金额确定。"),
                field="amount",
                params={"action": action_name(action)},
            )
        return mine[0].role
    if amount < 0:
        raise ValidationFailed(gettext_noop("金额不能为负数。"), field="amount")
    matches = [r for r in mine if r.covers(amount)]
    if len(matches) != 1:
        raise DomainError(
            gettext_noop(
                "审批矩阵中“%(action)s”对 %(amount)s 元没有唯一的规则，请联系系统管理员。"
            ),
            field="amount",
            params={"action": action_name(action), "amount": yuan(amount)},
        )
    return matches[0].role


def total_required_role(
    rules: Iterable[ApprovalRule],
    action: ApprovalAction,
    amount: Decimal | None,
    *,
    already: Decimal,
) -> Role:
    """The lowest role that must approve `amount` when `already` is asked for or approved on
    the same case for the same action (pending and granted requests; denied and withdrawn ones
    do not count).

    The thresholds apply to the total per case and action: two refunds of 30,000 on one case
    are a refund of 60,000 and go to the general manager, so splitting never lowers the
    approver. An action without an amount has no total.
    """
    if already < 0:
        raise ValueError("already must not be negative")
    if amount is None:
        return required_role(rules, action, None)
    return required_role(rules, action, amount + already)


def grant_role(
    rules: Iterable[ApprovalRule],
    action: ApprovalAction,
    amount: Decimal | None,
    *,
    already: Decimal,
    routed: Role,
) -> Role:
    """The role a grant needs: the higher of the one the request was routed to (a later edit
    of the matrix does not lower it) and the one the total needs now (an earlier grant on the
    case, or a matrix since tightened, can raise it)."""
    if amount is None:
        return routed
    needed = total_required_role(rules, action, amount, already=already)
    return max(routed, needed, key=_rank)


def _rank(role: Role) -> int:
    """A role outside the authority ranks above all: nobody may approve for it."""
    return AUTHORITY.index(role) if role in AUTHORITY else len(AUTHORITY)


def check_may_decide(
    roles: Iterable[Role],
    needed: Role,
    *,
    action: ApprovalAction,
    amount: Decimal | None,
    already: Decimal,
) -> None:
    """Refuse a decision by someone below `needed`, naming the total when earlier requests count."""
    if may_approve(roles, needed):
        return
    if amount is None or already <= 0:
        raise NotAllowed(
            gettext_noop("此申请须由%(role)s或更高级别审批，您无权审批。"),
            params={"role": role_name(needed)},
        )
    raise NotAllowed(
        gettext_noop(
            "本案“%(action)s”此前已申请或已批准 %(already)s 元，连同此申请共 %(total)s 元，"
            "须由%(role)s或更高级别审批，您无权审批。"
        ),
        params={
            "action": action_name(action),
            "already": yuan(already),
            "total": yuan(amount + already),
            "role": role_name(needed),
        },
    )


# Steps of a plan that exist only to carry a higher authority's signature: a grant that did
# not need that authority makes them unnecessary (减少审批层级: a refund under 50,000 signed off
# by the department manager skips 总经理签批). Step code and the authority it carries.
SIGN_OFF_STEPS: dict[ApprovalAction, tuple[str, Role]] = {
    ApprovalAction.REFUND: ("gm-approval", Role.GENERAL_MANAGER),
}


def steps_not_needed(grants: Iterable[tuple[ApprovalAction, Role]]) -> frozenset[str]:
    """The sign-off steps the granted approvals (action, authority that granted) make
    unnecessary."""
    skipped = set()
    for action, role in grants:
        step = SIGN_OFF_STEPS.get(action)
        if (
            step is not None
            and role in AUTHORITY
            and AUTHORITY.index(role) < AUTHORITY.index(step[1])
        ):
            skipped.add(step[0])
    return frozenset(skipped)


def may_approve(roles: Iterable[Role], required: Role) -> bool:
    """Holding the required role or one above it."""
    if required not in AUTHORITY:
        return False
    rank = AUTHORITY.index(required)
    return any(r in AUTHORITY and AUTHORITY.index(r) >= rank for r in roles)


def approvable_roles(roles: Iterable[Role]) -> frozenset[Role]:
    """The required roles whose requests someone holding `roles` may decide."""
    ranks = [AUTHORITY.index(r) for r in roles if r in AUTHORITY]
    return frozenset(AUTHORITY[: max(ranks) + 1]) if ranks else frozenset()


def _range_text(rule: ApprovalRule) -> str:
    if rule.max_amount is None:
        return f"{yuan(rule.min_amount)} 元及以上"
    return f"{yuan(rule.min_amount)}–{yuan(rule.max_amount)} 元"


def validate_rules(
    rules: Iterable[ApprovalRule], *, actions: Iterable[ApprovalAction] | None = None
) -> list[ValidationFailed]:
    """Every problem of the matrix, per action; empty when it holds.

    Each action in `actions` (default: those that have rules) must be covered from 0 upwards
    with no overlap and no gap, by an approving role.
    """
    rules = list(rules)
    wanted = list(actions) if actions is not None else []
    for r in rules:
        if r.action not in wanted:
            wanted.append(r.action)
    problems: list[ValidationFailed] = []
    for action in (a for a in ApprovalAction if a in wanted):
        name = action_name(action)
        mine = sorted(
            (r for r in rules if r.action == action),
            key=lambda r: (r.min_amount, r.max_amount is None, r.max_amount or 0),
        )
        if not mine:
            problems.append(
                ValidationFailed(
                    gettext_noop("“%(action)s”没有任何规则：至少要规定一个审批人。"),
                    params={"action": name},
                )
            )
            continue
        ok: list[ApprovalRule] = []
        for r in mine:
            if r.role not in AUTHORITY:
                problems.append(
                    ValidationFailed(
                        gettext_noop("“%(action)s”%(range)s：%(role)s不能审批，应为%(roles)s。"),
                        params={
                            "action": name,
                            "range": _range_text(r),
                            "role": role_name(r.role),
                            "roles": "或".join(role_name(a) for a in AUTHORITY),
                        },
                    )
                )
            if r.min_amount < 0 or (r.max_amount is not None and r.max_amount <= r.min_amount):
                problems.append(
                    ValidationFailed(
                        gettext_noop(
                            "“%(action)s”：金额范围 %(range)s 无效"
                            "（上限须大于下限，下限不能为负）。"
                        ),
                        params={"action": name, "range": _range_text(r)},
                    )
                )
            else:
                ok.append(r)
        if not ok:
            continue
        if ok[0].min_amount > 0:
            problems.append(
                ValidationFailed(
                    gettext_noop("“%(action)s”：0–%(to)s 元没有规定审批人（有空档）。"),
                    params={"action": name, "to": yuan(ok[0].min_amount)},
                )
            )
        # `reach`: how far the rules so far cover (None: without end), and the rule reaching it.
        reach, widest = ok[0].max_amount, ok[0]
        for after in ok[1:]:
            if reach is None or after.min_amount < reach:
                problems.append(
                    ValidationFailed(
                        gettext_noop("“%(action)s”：%(a)s与%(b)s重叠。"),
                        params={"action": name, "a": _range_text(widest), "b": _range_text(after)},
                    )
                )
            elif after.min_amount > reach:
                problems.append(
                    ValidationFailed(
                        gettext_noop("“%(action)s”：%(from)s–%(to)s 元没有规定审批人（有空档）。"),
                        params={"action": name, "from": yuan(reach), "to": yuan(after.min_amount)},
                    )
                )
            if reach is not None and (after.max_amount is None or after.max_amount > reach):
                reach, widest = after.max_amount, after
        if reach is not None:
            problems.append(
                ValidationFailed(
                    gettext_noop("“%(action)s”：%(from)s 元及以上没有规定审批人（有空档）。"),
                    params={"action": name, "from": yuan(reach)},
                )
            )
    return problems
