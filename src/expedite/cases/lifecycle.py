"""Moving a case through its lifecycle: one service call, one transaction, one audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.cases import FINAL, NEEDS_REASON, CaseState, allowed_transitions
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.roles import Capability
from expedite.domain.sla import ClockState
from expedite.domain.text import clean_text

from .clocks import clocks_from_json, clocks_to_json
from .models import CASE_STATE_CHOICES, Case

STATE_NAMES = dict(CASE_STATE_CHOICES)

# Other apps refuse moves the lifecycle alone would allow (a pending approval, a review not
# passed). A guard raises a DomainError; guards run inside the move's transaction, after the
# case row is locked, so what they read cannot change before the move is written.
TransitionGuard = Callable[[Case, CaseState, Any], None]
_GUARDS: list[TransitionGuard] = []
# Followers act on a move once it is written, in the same transaction (accepting a case lays
# out its tracks and proposes its team); (case, previous state, actor, now).
TransitionFollower = Callable[[Case, CaseState, Any, dt.datetime], None]
_FOLLOWERS: list[TransitionFollower] = []


def register_guard(guard: TransitionGuard) -> TransitionGuard:
    """Add a guard (apps register theirs in `AppConfig.ready`); registering twice is harmless."""
    if guard not in _GUARDS:
        _GUARDS.append(guard)
    return guard


def register_follower(follower: TransitionFollower) -> TransitionFollower:
    if follower not in _FOLLOWERS:
        _FOLLOWERS.append(follower)
    return follower


# The moves a client makes itself, through its portal link (signing for the result).
CLIENT_MOVES = frozenset({CaseState.CONFIRMED})


def case_allowed(case: Case) -> list[str]:
    """Every state the lifecycle lets the case move to next, whoever makes the move."""
    held_from = case.intake.get("held_from")
    allowed = allowed_transitions(
        CaseState(case.state), held_from=CaseState(held_from) if held_from else None
    )
    return [s.value for s in CaseState if s in allowed]


def case_staff_moves(case: Case) -> list[str]:
    """The next states staff may choose: the lifecycle's, less those only the client makes."""
    return [s for s in case_allowed(case) if CaseState(s) not in CLIENT_MOVES]


@transaction.atomic
def case_transition(*, actor, case: Case, to: str, now: dt.datetime, reason: str = "") -> Case:
    """Move the case to `to` if the lifecycle allows it; the clocks follow the state.

    The row is locked, so of two concurrent moves from the same state only the first one
    succeeds; the second sees the new state and is refused.
    """
    if not user_can(actor, Capability.MOVE_CASE):
        raise NotAllowed(_("您的角色无权变更加急单状态。"))
    return _move(actor=actor, case=case, to=to, now=now, reason=reason)


@transaction.atomic
def case_transition_by_client(*, case: Case, to: str, now: dt.datetime) -> Case:
    """The client's own move (confirming the result on its portal page): the same lifecycle,
    guards and followers as a staff move, recorded with the client as the actor. The caller
    has established who the client is (a one-time code)."""
    if to not in CLIENT_MOVES:
        raise NotAllowed(_("客户不能把加急单改为该状态。"))
    return _move(actor=None, case=case, to=to, now=now, reason="")


def _move(*, actor, case: Case, to: str, now: dt.datetime, reason: str) -> Case:
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    allowed = case_allowed(case)
    if to not in allowed:
        # Name only what this actor could choose instead.
        if actor is not None:
            allowed = case_staff_moves(case)
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，不能改为“%(to)s”；可以改为：%(allowed)s。"),
            field="state",
            params={
                "state": str(STATE_NAMES.get(case.state, case.state)),
                "to": str(STATE_NAMES.get(to, to)),
                "allowed": "、".join(str(STATE_NAMES[s]) for s in allowed) or "—",
            },
        )
    target = CaseState(to)
    reason = clean_text(
        reason,
        field="reason",
        label=gettext_noop("原因"),
        max_length=1000,
        required=target in NEEDS_REASON,
    )
    for guard in _GUARDS:
        guard(case, target, actor)
    previous = CaseState(case.state)
    clocks = clocks_from_json(case.clocks)
    if target == CaseState.ON_HOLD:
        clocks = clocks.hold_for_client(now)
        case.intake = {**case.intake, "held_from": previous.value}
    elif previous == CaseState.ON_HOLD:
        clocks = clocks.client_responded(now) if target != CaseState.CANCELLED else clocks
        case.intake = {k: v for k, v in case.intake.items() if k != "held_from"}
    if target in FINAL or target == CaseState.CONFIRMED:
        # The firm's work, and any wait on the client, end here.
        for name in ("firm", "client_wait"):
            clock = getattr(clocks, name)
            if clock.state in (ClockState.RUNNING, ClockState.PAUSED):
                clocks = replace(clocks, **{name: clock.stop(now)})
    case.state = target.value
    case.clocks = clocks_to_json(
        clocks, office_id=case.clocks.get("office_id") if case.clocks else None
    )
    case.save(update_fields=["state", "clocks", "intake", "updated_at"])
    audit_record(
        kind=AuditKind.CASE_STATE_CHANGED,
        actor=actor,
        actor_kind=None if actor is not None else ActorKind.CLIENT,
        actor_label="" if actor is not None else "client",
        case=case,
        payload={"from": previous.value, "to": target.value, "reason": reason},
    )
    for follower in _FOLLOWERS:
        follower(case, previous, actor, now)
    return case
