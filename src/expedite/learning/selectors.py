"""Reading feedback, follow-ups, retrospectives and the handbook; planned against actual."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, NotFound
from expedite.domain.learning import RetroReason, retrospective_reasons
from expedite.domain.roles import Capability
from expedite.work.models import StepRun
from expedite.workdays.selectors import firm_calendar

from .models import (
    PROPOSAL_PENDING,
    CatalogRevision,
    Feedback,
    FollowUp,
    HandbookEntry,
    Retrospective,
)


def _check_view(user) -> None:
    if not user_can(user, Capability.VIEW_CASES):
        raise NotAllowed(_("您的角色无权查看。"))


def feedback_for(case: Case) -> Feedback | None:
    return Feedback.objects.filter(case=case).first()


def delivered_on(case: Case) -> dt.date | None:
    """The (local) day of the case's last delivery, from the audit record."""
    event = (
        AuditEvent.objects.filter(
            case=case, kind=AuditKind.CASE_STATE_CHANGED.value, payload__to="delivered"
        )
        .order_by("-seq")
        .first()
    )
    return timezone.localtime(event.time).date() if event is not None else None


def retrospective_reasons_for(case: Case, *, feedback=...) -> tuple[RetroReason, ...]:
    """`feedback`: the case's feedback already read (None: there is none)."""
    if feedback is ...:
        feedback = feedback_for(case)
    return retrospective_reasons(
        deadline=case.requested_deadline,
        delivered_on=delivered_on(case),
        incidents=case.incidents.count(),
        low_score=feedback is not None and feedback.is_low,
    )


def has_retrospective(case: Case) -> bool:

    return Retrospective.objects.filter(case=case).exists()


def follow_ups(*, user, open_only: bool = False) -> QuerySet[FollowUp]:
    if not user_can(user, Capability.RESOLVE_FEEDBACK):
        raise NotAllowed(_("只有部门经理可以处理差评跟进。"))
    rows = FollowUp.objects.select_related("feedback__case__client", "resolved_by")
    return rows.filter(resolved_at__isnull=True) if open_only else rows


def follow_up(*, user, pk: int) -> FollowUp:
    row = follow_ups(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("找不到该跟进事项。"))
    return row


def handbook_entries(*, user, service_code: str = "") -> QuerySet[HandbookEntry]:
    _check_view(user)
    rows = HandbookEntry.objects.select_related(
        "retrospective__case", "created_by", "decided_by", "revision"
    )
    return rows.filter(service_code=service_code) if service_code else rows


def pending_proposals(*, user) -> QuerySet[HandbookEntry]:
    return handbook_entries(user=user).filter(status=PROPOSAL_PENDING)


def revisions(*, user) -> QuerySet[CatalogRevision]:
    _check_view(user)
    return CatalogRevision.objects.select_related("accepted_by", "entry").order_by("-number")


@dataclass(frozen=True)
class StepFigures:
    code: str
    name: str
    runs: int  # finished runs measured
    planned_hours: float  # mean working hours the plans allowed
    actual_hours: float  # mean working hours from start to finish

    @property
    def overrun(self) -> float:
        return self.actual_hours - self.planned_hours


def planned_vs_actual(service_code: str) -> list[StepFigures]:
    """Per step of a service: the working time plans allowed and what finished runs took.

    Working time on the firm's calendar, so a night or a weekend between start and finish
    does not count as time the step took.
    """
    cal = firm_calendar()
    hour_us = 3_600_000_000
    rows = (
        StepRun.objects.filter(
            case__service__code=service_code,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("position")
        .values_list("code", "name", "duration_us", "started_at", "finished_at")
    )
    sums: dict[str, list] = {}
    for code, name, planned, started, finished in rows:
        entry = sums.setdefault(code, [name, 0, 0, 0])
        entry[1] += 1
        entry[2] += planned
        entry[3] += max(0, cal.work_clock(finished) - cal.work_clock(started))
    return [
        StepFigures(
            code=code,
            name=name,
            runs=n,
            planned_hours=round(planned / n / hour_us, 1),
            actual_hours=round(actual / n / hour_us, 1),
        )
        for code, (name, n, planned, actual) in sums.items()
    ]


def handbook_entry(*, user, pk: int) -> HandbookEntry:
    row = handbook_entries(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound(_("找不到该手册条目。"))
    return row


def recent_feedback(*, user, limit: int = 50) -> list[Feedback]:
    if not user_can(user, Capability.RESOLVE_FEEDBACK):
        raise NotAllowed(_("只有部门经理可以处理差评跟进。"))
    return list(Feedback.objects.select_related("case__client", "case__service")[:limit])


def satisfaction_summary(rows: list[Feedback]) -> dict:
    """How many answered, how many satisfied (average ≥ 4), the share in percent."""
    n = len(rows)
    satisfied = sum(1 for f in rows if f.scores.satisfied)
    return {
        "answered": n,
        "satisfied": satisfied,
        "percent": round(100 * satisfied / n) if n else None,
        "low": sum(1 for f in rows if f.is_low),
    }
