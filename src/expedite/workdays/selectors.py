"""The calendars in force. Built from the database once per change, cached per process."""

from __future__ import annotations

import contextlib
import threading
from contextvars import ContextVar

from expedite.domain.calendar import WorkCalendar, WorkingHours
from expedite.domain.calendar_data import (
    merge_arrangements,
    parse_arrangement,
    statutory_arrangements,
)

from .models import CalendarOverride, CalendarVersion, Schedule

_lock = threading.Lock()
_cache: dict[tuple[str, str], WorkCalendar] = {}
# Within one request the version is read once: a page asks for the calendar many times.
_request_version: ContextVar[list[str] | None] = ContextVar("calendar_version", default=None)


def calendar_version() -> str:
    held = _request_version.get()
    if held:
        return held[0]
    row = CalendarVersion.objects.filter(pk=1).first()
    token = row.token if row else ""
    if held is not None:
        held.append(token)
    return token


def forget_calendar_version() -> None:
    """After a change to the calendar, the rest of the request reads the new version."""
    held = _request_version.get()
    if held:
        held.clear()


@contextlib.contextmanager
def version_read_once():
    token = _request_version.set([])
    try:
        yield
    finally:
        _request_version.reset(token)


def _arrangements():
    overrides = [
        parse_arrangement(o.text, source=f"override {o.year}")
        for o in CalendarOverride.objects.all()
    ]
    return merge_arrangements(statutory_arrangements(), overrides)


def _build(schedule: Schedule | None) -> WorkCalendar:
    hours = WorkingHours.parse(schedule.windows) if schedule else WorkingHours()
    closures = dict(schedule.closures.values_list("date", "reason")) if schedule else {}
    return WorkCalendar(_arrangements(), hours=hours, closures=closures)


def _cached(key: str, schedule_lookup) -> WorkCalendar:
    version = calendar_version()
    with _lock:
        found = _cache.get((version, key))
    if found is not None:
        return found
    built = _build(schedule_lookup())
    with _lock:
        if len(_cache) > 32:
            _cache.clear()
        _cache[(version, key)] = built
    return built


def firm_calendar() -> WorkCalendar:
    """The firm's calendar: statutory arrangement, overrides, firm hours and closures."""
    return _cached("firm", lambda: Schedule.objects.filter(kind=Schedule.FIRM).first())


def office_calendar(schedule_id: int) -> WorkCalendar:
    """A government office's calendar (its window hours and closures) for 法定承诺时限."""
    return _cached(f"office:{schedule_id}", lambda: Schedule.objects.get(pk=schedule_id))


def overrides() -> list[CalendarOverride]:
    return list(CalendarOverride.objects.select_related("loaded_by"))
