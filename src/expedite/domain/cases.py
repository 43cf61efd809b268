"""Case states. The transition rules come with the case lifecycle; here are the names."""

from __future__ import annotations

import enum


class CaseState(enum.StrEnum):
    DRAFT = "draft"
    TRIAGED = "triaged"
    QUOTED = "quoted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    MATERIALS = "materials"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    REVIEW = "review"
    DELIVERED = "delivered"
    CONFIRMED = "confirmed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ValueTier(enum.StrEnum):
    """A client's value to the firm; one input to the priority of competing cases."""

    STANDARD = "standard"
    KEY = "key"
    STRATEGIC = "strategic"


# The case lifecycle (docs/workflow.md). `draft → triaged` happens by triaging; `on_hold` returns
# to the state it interrupted. Final states have no way out.
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.DRAFT: frozenset({CaseState.CANCELLED}),
    CaseState.TRIAGED: frozenset({CaseState.QUOTED, CaseState.DECLINED, CaseState.CANCELLED}),
    CaseState.QUOTED: frozenset({CaseState.ACCEPTED, CaseState.DECLINED, CaseState.CANCELLED}),
    CaseState.ACCEPTED: frozenset(
        {CaseState.MATERIALS, CaseState.IN_PROGRESS, CaseState.ON_HOLD, CaseState.CANCELLED}
    ),
    CaseState.MATERIALS: frozenset({CaseState.IN_PROGRESS, CaseState.ON_HOLD, CaseState.CANCELLED}),
    CaseState.IN_PROGRESS: frozenset({CaseState.REVIEW, CaseState.ON_HOLD, CaseState.CANCELLED}),
    CaseState.ON_HOLD: frozenset(
        {CaseState.ACCEPTED, CaseState.MATERIALS, CaseState.IN_PROGRESS, CaseState.CANCELLED}
    ),
    CaseState.REVIEW: frozenset({CaseState.DELIVERED, CaseState.IN_PROGRESS}),
    CaseState.DELIVERED: frozenset({CaseState.CONFIRMED, CaseState.IN_PROGRESS}),
    CaseState.CONFIRMED: frozenset({CaseState.CLOSED}),
    CaseState.CLOSED: frozenset(),
    CaseState.DECLINED: frozenset(),
    CaseState.CANCELLED: frozenset(),
}

FINAL = frozenset({CaseState.CLOSED, CaseState.DECLINED, CaseState.CANCELLED})
NEEDS_REASON = frozenset({CaseState.CANCELLED, CaseState.DECLINED, CaseState.ON_HOLD})


def allowed_transitions(
    state: CaseState, *, held_from: CaseState | None = None
) -> frozenset[CaseState]:
    """Where a case may go from `state`; from on_hold only back where it was (or cancelled)."""
    if state == CaseState.ON_HOLD:
        back = (
            {held_from}
            if held_from
            else set(TRANSITIONS[CaseState.ON_HOLD]) - {CaseState.CANCELLED}
        )
        return frozenset(back | {CaseState.CANCELLED})
    return TRANSITIONS[state]
