"""The calendars in force. Built from the database once per change, cached per process."""

from __future__ import annotations

import threading

from expedite.domain.calendar import WorkCalendar, WorkingHours
from expedite.domain.calendar_data import (
    merge_arrangements,
    parse_arrangement,
    statutory_arrangements,
)

from .models import CalendarOverride, CalendarVersion, Schedule

_lock = threading.Lock()
_cache: dict[tuple[str, str], WorkCalendar] = {}


def calendar_version() -> str:
    row = CalendarVersion.objects.filter(pk=1).first()
    return row.token if row else ""


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
