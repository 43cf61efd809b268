"""Reads for the case page, the board and the portal."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from expedite.cases.models import Case
from expedite.domain.reporting import RiskKind, reports_today
from expedite.work.selectors import ACTIVE_STATES, case_steps
from expedite.workdays.selectors import firm_calendar

from .models import CaseMonitoring, DailyReport, Incident, RiskWarning, StepDelay
from .reports import report_time_for


@dataclass(frozen=True, slots=True)
class IncidentRow:
    incident: Incident
    overdue: bool  # unanswered past its one working hour
    minutes_left: int | None  # working minutes left to respond, while unanswered


def incident_rows(incidents, *, now: dt.datetime) -> list[IncidentRow]:
    cal = firm_calendar()
    rows = []
    for i in incidents:
        left = None
        overdue = False
        if i.acknowledged_at is None and i.resolved_at is None:
            overdue = now >= i.response_due
            if not overdue:
                left = int(cal.working_time_between(now, i.response_due).total_seconds() // 60)
        rows.append(IncidentRow(i, overdue, left))
    return rows


def case_monitoring(case: Case, *, now: dt.datetime) -> dict:
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    monitoring = CaseMonitoring.objects.filter(case=case).first()
    reports = list(DailyReport.objects.filter(case=case).select_related("edited_by")[:15])
    return {
        "settings": monitoring,
        "report_time": report_time_for(monitoring),
        "edit_minutes": settings.EXPEDITE_REPORT_EDIT_MINUTES,
        "reports_today": reports_today(
            today, cal, continue_on_holidays=bool(monitoring and monitoring.continue_on_holidays)
        ),
        "today": next((r for r in reports if r.date == today), None),
        "history": [r for r in reports if r.date != today],
        "incidents": incident_rows(
            case.incidents.select_related("raised_by", "acknowledged_by", "step"), now=now
        ),
        "warnings": list(case.risk_warnings.select_related("raised_by", "decided_by")[:20]),
        "open_steps": [s for s in case_steps(case) if s.finished_at is None],
    }


def open_incidents(*, now: dt.datetime) -> list[IncidentRow]:
    """Unresolved incidents, unanswered ones first, for the board."""
    rows = (
        Incident.objects.filter(resolved_at__isnull=True)
        .select_related("case", "case__client")
        .order_by("acknowledged_at", "response_due")[:30]
    )
    return incident_rows(rows, now=now)


def pending_warnings():
    """Open warnings awaiting the liaison, on running cases only (the board)."""
    return (
        RiskWarning.objects.filter(
            status="pending_approval",
            cleared_at__isnull=True,
            case__state__in=[s.value for s in ACTIVE_STATES],
        )
        .select_related("case", "case__client")
        .order_by("raised_at")[:30]
    )


def step_delays(case_ids: list[int]) -> dict[int, dict[str, int]]:
    """Working time incidents and external risks add to steps: {case: {step code: µs}}."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for case_id, code, extra in StepDelay.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "step__code", "extra_us"
    ):
        found[case_id][code] = found[case_id].get(code, 0) + extra
    return found


def at_risk_case_ids():
    """The running cases with an open projected-late or low-slack warning, as a subquery: the
    SLA watch keeps these in step with the projections every minute, so the board finds its
    at-risk cases without projecting the whole firm."""
    return RiskWarning.objects.filter(
        cleared_at__isnull=True,
        kind__in=[RiskKind.PROJECTED_LATE.value, RiskKind.LOW_SLACK.value],
        case__state__in=[s.value for s in ACTIVE_STATES],
    ).values("case_id")
