"""日清 and 异常 without a database: what a daily report says, when it is drafted and sent,
when an incident must be answered and escalated, and which risk conditions hold.

Times are passed in; the calendar is the firm's `WorkCalendar`.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .calendar import WorkCalendar
from .errors import gettext_noop

RESPONSE_TIME = dt.timedelta(hours=1)  # 异常一小时内响应
ESCALATION_STEP = dt.timedelta(hours=1)  # supervisors at due, managers one working hour later


@dataclass(frozen=True, slots=True)
class StepFact:
    """A step as the report sees it: actual times and the projected ones."""

    name: str
    track: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    projected_start: dt.datetime
    projected_finish: dt.datetime


@dataclass(frozen=True, slots=True)
class ReportContent:
    done_today: str
    plan_tomorrow: str
    client_todo: str


NOTHING_DONE = gettext_noop("今日各通道按计划推进，暂无新完成的步骤。")
NOTHING_PLANNED = gettext_noop("明日暂无新的计划步骤，继续跟进各部门审批。")
NOTHING_FOR_CLIENT = gettext_noop("暂无需要您配合的事项。")


def _local_date(t: dt.datetime, cal: WorkCalendar) -> dt.date:
    return t.astimezone(cal.tz).date()


STEP_FINISHED = gettext_noop("✔ %(track)s：%(step)s（已完成）")
STEP_STARTED = gettext_noop("▶ %(track)s：%(step)s（已开始办理）")
TRACK_NOTE = gettext_noop("· %(track)s：%(note)s")
STEP_FINISHES = gettext_noop("· %(track)s：%(step)s（预计完成）")
STEP_CONTINUES = gettext_noop("· %(track)s：%(step)s（继续办理）")


def _same(text: str) -> str:
    return text


def compose_report(
    *,
    day: dt.date,
    cal: WorkCalendar,
    steps: Iterable[StepFact],
    track_notes: Iterable[tuple[str, str]] = (),
    client_items: Iterable[str] = (),
    translate: Callable[[str], str] = _same,
    term: Callable[[str], str] = _same,
) -> ReportContent:
    """今日完成 / 明日计划 / 需客户配合, one line per fact.

    Done today: steps finished or started on `day`, then the tracks' notes written that day.
    Plan: unfinished steps whose projected span touches the next working day.
    The report goes to the client as written: `translate` (messages) and `term` (catalog
    names) write it in the client's language; Chinese without them.
    """
    steps = list(steps)
    next_day = cal.next_workday(day)

    def line(template: str, **params: str) -> str:
        return translate(template) % params

    done: list[str] = []
    for s in steps:
        names = {"track": term(s.track), "step": term(s.name)}
        if s.finished_at and _local_date(s.finished_at, cal) == day:
            done.append(line(STEP_FINISHED, **names))
        elif s.started_at and _local_date(s.started_at, cal) == day:
            done.append(line(STEP_STARTED, **names))
    done.extend(line(TRACK_NOTE, track=term(t), note=note) for t, note in track_notes if note)
    plan: list[str] = []
    for s in steps:
        if s.finished_at:
            continue
        first = _local_date(s.projected_start, cal)
        last = _local_date(s.projected_finish, cal)
        if first <= next_day <= last:
            template = STEP_FINISHES if last == next_day else STEP_CONTINUES
            plan.append(line(template, track=term(s.track), step=term(s.name)))
    todo = [f"· {item}" for item in client_items if item]
    return ReportContent(
        done_today="\n".join(done) or translate(NOTHING_DONE),
        plan_tomorrow="\n".join(plan) or translate(NOTHING_PLANNED),
        client_todo="\n".join(todo) or translate(NOTHING_FOR_CLIENT),
    )


def reports_today(day: dt.date, cal: WorkCalendar, *, continue_on_holidays: bool) -> bool:
    """A report goes on working days, and on other days only for cases marked so."""
    return continue_on_holidays or cal.is_workday(day)


@dataclass(frozen=True, slots=True)
class ReportSchedule:
    draft_at: dt.datetime
    send_at: dt.datetime


def report_schedule(
    day: dt.date, report_time: dt.time, edit_minutes: int, tz: dt.tzinfo
) -> ReportSchedule:
    """The draft is ready `edit_minutes` before the report time, for the liaison to edit."""
    send = dt.datetime.combine(day, report_time, tzinfo=tz)
    return ReportSchedule(draft_at=send - dt.timedelta(minutes=edit_minutes), send_at=send)


# -- incidents -----------------------------------------------------------------------------------


class IncidentKind(enum.StrEnum):
    DEPARTMENT_REJECTION = "department_rejection"  # 部门退件/补正，如 施工图审查合格书信息有误
    SYSTEM_OUTAGE = "system_outage"
    MISSING_MATERIAL = "missing_material"
    STAFF_UNAVAILABLE = "staff_unavailable"
    CLIENT_DELAY = "client_delay"
    # Firm-wide, raised by the nightly check of the audit chain: no case of its own.
    RECORD_INTEGRITY = "record_integrity"


# Kinds whose remedy needs the client: they appear under 需客户配合 while open.
CLIENT_KINDS = frozenset({IncidentKind.MISSING_MATERIAL, IncidentKind.CLIENT_DELAY})


@dataclass(frozen=True, slots=True)
class ResponseClock:
    due: dt.datetime  # acknowledge by then, else the supervisors are called
    managers_at: dt.datetime  # still unacknowledged then: the managers


def response_clock(raised_at: dt.datetime, cal: WorkCalendar) -> ResponseClock:
    """One working hour to respond, on the firm's calendar (lunch and nights do not count)."""
    due = cal.add_working_time(raised_at, RESPONSE_TIME)
    return ResponseClock(due=due, managers_at=cal.add_working_time(due, ESCALATION_STEP))


def escalation_level_due(
    *, now: dt.datetime, clock: ResponseClock, acknowledged: bool, resolved: bool
) -> int:
    """0 nobody yet, 1 the supervisors, 2 the managers too."""
    if acknowledged or resolved or now < clock.due:
        return 0
    return 2 if now >= clock.managers_at else 1


def delay_us(hours: float) -> int:
    return round(hours * 3_600_000_000)


def days_us(days: int, cal: WorkCalendar) -> int:
    return days * cal.hours.day_us


# -- risk warnings -------------------------------------------------------------------------------


class RiskKind(enum.StrEnum):
    PROJECTED_LATE = "projected_late"
    LOW_SLACK = "low_slack"
    EXTERNAL = "external"


def risk_conditions(*, late: bool, at_risk: bool) -> frozenset[RiskKind]:
    """The automatic conditions that hold now: late outranks merely low slack."""
    if late:
        return frozenset({RiskKind.PROJECTED_LATE})
    if at_risk:
        return frozenset({RiskKind.LOW_SLACK})
    return frozenset()
