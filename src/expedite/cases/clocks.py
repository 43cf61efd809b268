"""A case's three SLA clocks, stored as JSON on the case and read back with their calendars."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from expedite.domain.calendar import WorkCalendar
from expedite.domain.sla import CaseClocks, ClockState, SlaClock
from expedite.workdays.selectors import firm_calendar, office_calendar


def new_case_clocks(firm: WorkCalendar, office: WorkCalendar | None = None) -> CaseClocks:
    return CaseClocks.new(
        firm_calendar=firm,
        office_calendar=office or firm,
        firm_target=None,
        government_target=None,
    )


def clocks_to_json(clocks: CaseClocks, *, office_id: int | None = None) -> dict:
    return {
        "firm": clocks.firm.to_dict(),
        "client_wait": clocks.client_wait.to_dict(),
        "government": clocks.government.to_dict(),
        "office_id": office_id,
    }


def clocks_from_json(data: dict, *, firm: WorkCalendar | None = None) -> CaseClocks:
    firm = firm or firm_calendar()
    if not data:
        return new_case_clocks(firm)
    office = office_calendar(data["office_id"]) if data.get("office_id") else firm
    return CaseClocks(
        firm=SlaClock.from_dict(data["firm"], calendar=firm),
        client_wait=SlaClock.from_dict(data["client_wait"], calendar=firm),
        government=SlaClock.from_dict(data["government"], calendar=office),
    )


@dataclass(frozen=True, slots=True)
class ClockReading:
    key: str
    name: str
    state: ClockState
    elapsed: dt.timedelta
    day_length: dt.timedelta
    due: dt.datetime | None
    breached: bool

    @property
    def parts(self) -> tuple[int, int, int]:
        """Elapsed working time as (working days, hours, minutes) of this clock's day."""
        days, rest = divmod(self.elapsed, self.day_length)
        hours, rest = divmod(rest, dt.timedelta(hours=1))
        return days, hours, rest // dt.timedelta(minutes=1)


def read_clocks(
    data: dict, *, now: dt.datetime, firm: WorkCalendar | None = None
) -> list[ClockReading]:
    clocks = clocks_from_json(data, firm=firm)
    readings = []
    for key, clock in (
        ("firm", clocks.firm),
        ("client_wait", clocks.client_wait),
        ("government", clocks.government),
    ):
        readings.append(
            ClockReading(
                key=key,
                name=clock.name,
                state=clock.state,
                elapsed=clock.elapsed(now),
                day_length=clock.calendar.hours.day_length,
                due=clock.due(now),
                breached=clock.breached(now),
            )
        )
    return readings
