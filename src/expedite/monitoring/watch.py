"""The SLA watch, run every minute: unanswered incidents escalate, risky projections warn.

Each step is claimed in the database before anything is sent — an escalation by a conditional
update of the incident's level, a warning by the unique constraint on the open warning of a
case and condition — so several workers, or a run repeated after a crash, act once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from expedite.audit.services import audit_record
from expedite.cases.models import Case
from expedite.domain.audit import AuditKind
from expedite.domain.errors import DomainError, gettext_noop
from expedite.domain.phrases import Phrase
from expedite.domain.recheck import end_drift, recheck_from
from expedite.domain.reporting import (
    ResponseClock,
    RiskKind,
    escalation_level_due,
    risk_conditions,
)
from expedite.domain.roles import Role
from expedite.notify.notices import role_users, tell_staff
from expedite.notify.said import choice
from expedite.work.models import StepRun
from expedite.work.selectors import (
    ACTIVE_STATES,
    CaseProjection,
    _active_cases,
    _status,
    case_projection,
    step_delays,
)
from expedite.workdays.selectors import firm_calendar, version_read_once

from .incidents import _fmt, announce, risk_reason
from .messages import FIRM_WIDE
from .models import Incident, RiskWarning
from .recheck import (
    recheck_claim,
    recheck_clock_only,
    recheck_due,
    recheck_stamp,
    recheck_store,
    recheck_store_clock,
)

ESCALATE_TO = {1: (Role.SUPERVISOR,), 2: (Role.MANAGER,)}
RESTATE = "UPDATE monitoring_riskwarning SET reason = %s WHERE id = %s AND cleared_at IS NULL"
CASE_FIELDS = ("pk", "reference", "state", "requested_deadline", "client", "service")


def incidents_escalate(*, now: dt.datetime) -> int:
    """Raise each unanswered incident past its due time one level; returns escalations made."""
    due = Incident.objects.filter(
        Q(escalation_level=0, response_due__lte=now) | Q(escalation_level=1, managers_at__lte=now),
        acknowledged_at__isnull=True,
        resolved_at__isnull=True,
    ).values_list("pk", "escalation_level", "response_due", "managers_at")
    done = 0
    for pk, level, due_at, managers_at in due:
        target = escalation_level_due(
            now=now,
            clock=ResponseClock(due=due_at, managers_at=managers_at),
            acknowledged=False,
            resolved=False,
        )
        # An incident found two levels late (the watch was down) calls both in turn.
        for step in range(level + 1, target + 1):
            done += _escalate(pk, step, now=now)
    return done


@transaction.atomic
def _escalate(pk: int, level: int, *, now: dt.datetime) -> int:
    claimed = Incident.objects.filter(
        pk=pk, escalation_level=level - 1, acknowledged_at__isnull=True
    ).update(escalation_level=level)
    if not claimed:
        return 0
    incident = Incident.objects.select_related("case").get(pk=pk)
    case = incident.case
    users = role_users(*ESCALATE_TO[level])
    tell_staff(
        key=f"incident:{pk}:escalate:{level}",
        users=users,
        case=case,
        subject=Phrase(
            "monitoring.escalated.subject",
            {"ref": case.reference if case else FIRM_WIDE, "kind": choice(incident, "kind")},
        ),
        body=[
            incident.description,
            Phrase(
                "monitoring.escalated.body",
                {"raised": _fmt(incident.raised_at), "due": _fmt(incident.response_due)},
            ),
        ],
        now=now,
        email=True,
    )
    audit_record(
        kind=AuditKind.INCIDENT_ESCALATED,
        case=case,
        payload={
            "incident": pk,
            "level": level,
            "to": [u.username for u in users],
            "due": incident.response_due.isoformat(),
        },
    )
    return 1


MITIGATION = {
    RiskKind.PROJECTED_LATE: gettext_noop(
        "对接专员与主管评估加派人手、与审批部门预沟通或调整方案。"
    ),
    RiskKind.LOW_SLACK: gettext_noop("优先处理关键路径上的步骤，每日跟进审批部门。"),
}


def warnings_scan(*, now: dt.datetime, full: bool = False) -> int:
    """Open a warning when a condition starts to hold, restate it when the projection moves,
    close it when it stops; returns how many warnings were opened.

    Only the running cases whose inputs changed or whose recheck time came are projected
    (recheck.py); `full`: every running case, as a first run would (the benchmark's baseline).
    """
    # One calendar version for the whole run (a change meanwhile leaves the rows stale).
    with version_read_once():
        return _scan(now=now, full=full)


def _scan(*, now: dt.datetime, full: bool) -> int:
    cal = firm_calendar()
    # A case that left the running states (delivered, closed...) warns of nothing any more;
    # the lifecycle follower clears its warnings at the move, this catches any left over.
    RiskWarning.objects.filter(cleared_at__isnull=True).exclude(
        case__state__in=[s.value for s in ACTIVE_STATES]
    ).update(cleared_at=now)
    stamp = recheck_stamp()
    chosen = _active_cases() if full else recheck_due(_active_cases(), now=now, stamp=stamp)
    # In id order: two workers upserting the same rows lock them in the same order.
    ids = sorted(chosen.values_list("pk", flat=True))
    if not ids:
        return 0
    clock_only = {} if full else recheck_clock_only(ids, now=now, stamp=stamp)
    changed = [pk for pk in ids if pk not in clock_only]
    recheck_claim(changed, now=now, stamp=stamp)
    # Read after the claim, so a change it did not see marks the case again.
    # Without the case's large fields (triage, intake...): opening a warning, which is rare,
    # reads what it needs.
    running = [s.value for s in ACTIVE_STATES]
    cases = list(Case.objects.filter(pk__in=ids, state__in=running).only(*CASE_FIELDS))
    runs = defaultdict(list)
    for r in StepRun.objects.filter(case__in=changed):
        runs[r.case_id].append(r)
    delays = step_delays(runs)
    open_by_case: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
    for pk, case_id, kind, reason in (
        RiskWarning.objects.filter(cleared_at__isnull=True, case__in=ids)
        .exclude(kind=RiskKind.EXTERNAL.value)
        .values_list("pk", "case_id", "kind", "reason")
    ):
        open_by_case[case_id][kind] = (pk, reason)
    threshold = int(settings.EXPEDITE_AT_RISK_SLACK_HOURS * 3_600_000_000)
    now_us = cal.work_clock(now)
    due: dict[int, tuple[dt.datetime | None, tuple[int, int] | None]] = {}
    due_by_clock: dict[int, dt.datetime] = {}
    restated: list[tuple[str, int]] = []  # (reason, warning)
    opened = 0
    for case in cases:
        deadline_us = cal.work_clock_end_of(case.requested_deadline)
        if case.pk in clock_only:
            # Inputs unchanged since the last look: the end follows from its end and drift.
            end, drift = clock_only[case.pk]
            proj = _from_end(cal, max(end, now_us + drift), deadline_us, threshold)
            at = recheck_from(end, drift, now_us, deadline_us=deadline_us, threshold_us=threshold)
            due_by_clock[case.pk] = _instant(cal, at, now=now)
        else:
            due[case.pk] = (None, None)
            if not runs[case.pk]:
                continue
            case_delays = delays.get(case.pk, {})
            proj = case_projection(case, now=now, cal=cal, runs=runs[case.pk], delays=case_delays)
            found = end_drift(
                [_status(r, cal, case_delays.get(r.code, 0)) for r in runs[case.pk]], now_us
            )
            at = None
            if found is not None:
                at = recheck_from(*found, now_us, deadline_us=deadline_us, threshold_us=threshold)
            due[case.pk] = (_instant(cal, at, now=now), found)
        opened += _follow(case, proj, open_by_case[case.pk], restated, now=now)
    # The warnings whose reason moved: one statement run per row (an ORM update a case, or
    # a CASE expression, costs more than the projections the recheck rows spare).
    with connection.cursor() as cursor:
        cursor.executemany(RESTATE, restated)
    recheck_store(due)
    recheck_store_clock(due_by_clock, clock_only)
    return opened


def _from_end(cal, end: int, deadline_us: int, threshold: int) -> CaseProjection:
    """What `case_projection` says of a case with unfinished steps ending at `end`, as far as
    warnings read it (the finish, the deadline, the slack)."""
    slack = deadline_us - end
    return CaseProjection(
        steps=[],
        finish=cal.at_work_clock(end),
        planned_finish=None,
        deadline_end=cal.at_work_clock(deadline_us),
        slack_us=slack,
        at_risk=slack < threshold,
        late=slack < 0,
        day_us=cal.hours.day_us,
    )


def _instant(cal, at: int | None, *, now: dt.datetime) -> dt.datetime | None:
    """The earliest instant the working-time axis reaches `at`."""
    if at is None:
        return None
    try:
        return cal.at_work_clock(at)
    except DomainError:
        return now + dt.timedelta(days=1)  # beyond the calendar's years: look again tomorrow


def _follow(
    case, proj, still_open: dict[str, tuple[int, str]], restated: list, *, now: dt.datetime
) -> int:
    holding = {k.value for k in risk_conditions(late=proj.late, at_risk=proj.at_risk)}
    gone = set(still_open) - holding
    if gone:
        RiskWarning.objects.filter(case=case, kind__in=gone, cleared_at__isnull=True).update(
            cleared_at=now
        )
    for kind in holding & set(still_open):
        # The condition lasts but the projection moved: the warning says what holds now.
        pk, was = still_open[kind]
        reason = risk_reason(RiskKind(kind), proj)
        if reason != was:
            restated.append((reason, pk))
    opened = 0
    for kind in holding - set(still_open):
        opened += _open_warning(case, RiskKind(kind), proj, now=now)
    return opened


def _open_warning(case, kind: RiskKind, proj, *, now: dt.datetime) -> int:
    try:
        with transaction.atomic():
            warning = RiskWarning.objects.create(
                case=case,
                kind=kind.value,
                reason=risk_reason(kind, proj),
                mitigation=_(MITIGATION[kind]),
                raised_at=now,
            )
            audit_record(
                kind=AuditKind.RISK_WARNING_RAISED,
                case=case,
                payload={"warning": warning.pk, "kind": kind.value, "reason": warning.reason},
            )
            announce(warning, now=now, proj=proj)
    except IntegrityError:
        return 0  # another worker opened it a moment ago
    return 1


def warnings_withdraw(case, previous, actor, now: dt.datetime) -> None:
    """Lifecycle follower: a case delivered, confirmed, closed, cancelled or declined has no
    projection left to warn of, so every warning still open on it (external ones too) ends at
    the move and leaves the board and the client's page."""
    if case.state in {s.value for s in ACTIVE_STATES}:
        return
    RiskWarning.objects.filter(case=case, cleared_at__isnull=True).update(cleared_at=now)


def sla_watch(*, now: dt.datetime) -> dict[str, int]:
    """The every-minute job."""
    return {
        "escalated": incidents_escalate(now=now),
        "warnings": warnings_scan(now=now),
    }
