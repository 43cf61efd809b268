"""No first submission before the submission check; no delivery without a passed self-check
and a passed review by someone else."""

from __future__ import annotations

from expedite.domain.cases import CaseState

from .selectors import delivery_blocker, submission_blocker


def review_before_delivery(case, target: CaseState, actor) -> None:
    if case.state != CaseState.REVIEW.value or target != CaseState.DELIVERED:
        return

    blocker = delivery_blocker(case)
    if blocker is not None:
        raise blocker


def submission_check_before_filing(step) -> None:
    """Work step guard: the first submission to an authority waits for 递交前复核."""
    blocker = submission_blocker(step.case, step.code)
    if blocker is not None:
        raise blocker
