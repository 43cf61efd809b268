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
