"""Changes to the calendar: each validated, audited, and visible to every process at once."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
from expedite.domain.calendar import MAX_DATE, MIN_DATE, WorkingHours
from expedite.domain.calendar_data import parse_arrangement
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.roles import Capability

from .models import CalendarOverride, CalendarVersion, Closure, Schedule
from .selectors import forget_calendar_version


def _require(actor) -> None:
    if actor is not None and not user_can(actor, Capability.MANAGE_CALENDAR):
        raise NotAllowed(_("只有管理员和经理可以修改工作日历。"))


def _bump() -> None:
    token = uuid.uuid4().hex
    if not CalendarVersion.objects.filter(pk=1).update(token=token):
        CalendarVersion.objects.create(pk=1, token=token)
    forget_calendar_version()


@transaction.atomic
def calendar_override_load(*, actor, text: str, source: str) -> CalendarOverride:
    """Load one year's notice (YAML). Replaces an earlier override of the same year.

    `actor` None means the command line (an operator on the server).
    """
    _require(actor)
    arrangement = parse_arrangement(text, source=source)
    row, created = CalendarOverride.objects.update_or_create(
        year=arrangement.year,
        defaults={
            "notice": arrangement.source if arrangement.source != source else "",
            "text": text,
            "loaded_by": actor,
        },
    )
    _bump()
    audit_record(
        kind=AuditKind.CALENDAR_OVERRIDE_LOADED,
        actor=actor,
        payload={
            "year": arrangement.year,
            "source": source,
            "notice": row.notice,
            "replaced": not created,
            "holidays": len(arrangement.holidays),
            "makeup_workdays": len(arrangement.makeup_workdays),
        },
    )
    return row


@transaction.atomic
def calendar_override_remove(*, actor, override: CalendarOverride) -> None:
    """Withdraw a loaded year: the package data (or the provisional rule) applies again."""
    _require(actor)
    payload = {"year": override.year, "notice": override.notice}
    override.delete()
    _bump()
    audit_record(kind=AuditKind.CALENDAR_OVERRIDE_REMOVED, actor=actor, payload=payload)


@transaction.atomic
def schedule_set_hours(*, actor, schedule: Schedule, windows: str) -> Schedule:
    _require(actor)
    hours = WorkingHours.parse(windows)
    text = ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in hours.windows)
    old = schedule.windows
    schedule.windows = text
    schedule.save(update_fields=["windows"])
    _bump()
    audit_record(
        kind=AuditKind.CALENDAR_HOURS_CHANGED,
        actor=actor,
        payload={"schedule": schedule.name, "from": old, "to": text},
    )
    return schedule


@transaction.atomic
def closure_add(*, actor, schedule: Schedule, date: dt.date, reason: str) -> Closure:
    _require(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写停止办公的原因。"), field="reason")
    if not MIN_DATE <= date <= MAX_DATE:
        raise ValidationFailed(_("日期超出日历支持范围。"), field="date")
    if Closure.objects.filter(schedule=schedule, date=date).exists():
        raise ValidationFailed(_("该日期已登记为停止办公日。"), field="date")
    closure = Closure.objects.create(schedule=schedule, date=date, reason=reason[:100])
    _bump()
    audit_record(
        kind=AuditKind.CALENDAR_CLOSURE_ADDED,
        actor=actor,
        payload={"schedule": schedule.name, "date": date.isoformat(), "reason": closure.reason},
    )
    return closure


@transaction.atomic
def closure_remove(*, actor, closure: Closure) -> None:
    _require(actor)
    payload = {"schedule": closure.schedule.name, "date": closure.date.isoformat()}
    closure.delete()
    _bump()
    audit_record(kind=AuditKind.CALENDAR_CLOSURE_REMOVED, actor=actor, payload=payload)


@transaction.atomic
def schedule_create(*, actor, name: str, windows: str) -> Schedule:
    """A government office's window hours, for its own processing time (法定承诺时限)."""
    _require(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写名称。"), field="name")
    if Schedule.objects.filter(name=name).exists():
        raise ValidationFailed(_("已有同名的工作时间。"), field="name")
    hours = WorkingHours.parse(windows)
    text = ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in hours.windows)
    schedule = Schedule.objects.create(name=name, kind=Schedule.OFFICE, windows=text)
    _bump()
    audit_record(
        kind=AuditKind.CALENDAR_HOURS_CHANGED,
        actor=actor,
        payload={"schedule": name, "from": None, "to": text},
    )
    return schedule
