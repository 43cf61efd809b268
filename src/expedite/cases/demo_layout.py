"""Demo cases laid out from the product's own plans, so the demo tells the same story at any
instant it is loaded: a weekday morning or 23:59 on a Saturday, the eve of a holiday, or
31 December with the next year still provisional.

A demo case says which verdict it is there to show (假急, expedite, infeasible, blocked,
refused) and how much room it has; its deadline is found by triaging the case as the product
would at that instant, working day by working day, not by adding a fixed number of days that
happens to give the wanted verdict only at some hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from expedite.domain.triage import Triage, Verdict
from expedite.workdays.selectors import firm_calendar

from .services import case_create
from .triage import TriageInput, case_triage, run_triage

HORIZON_WORKDAYS = 120  # the longest demo story (a 高企 application) fits well inside


class LayoutError(RuntimeError):
    """No deadline within the horizon gives the wanted verdict (a catalog change broke a story)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Which verdict a demo case shows, and where among the deadlines that give it.

    `pick` indexes the qualifying deadlines in order: 0 is the earliest (no room to spare),
    2 leaves two working days more, -1 is the latest (for `infeasible`: a day short of the
    fastest plan). An index past the end takes the last one. `meets` narrows `refused` and
    `blocked` to deadlines the compliant path meets (True) or misses (False).
    """

    verdict: Verdict
    pick: int = 0
    meets: bool | None = None

    def admits(self, result: Triage) -> bool:
        if result.verdict != self.verdict:
            return False
        return self.meets is None or bool(result.chosen.meets_deadline) == self.meets


def demo_intake(**fields) -> TriageInput:
    """A demo case's intake; its deadline is laid out by `deadline_for`, never given."""
    return TriageInput(deadline=dt.date.max, **fields)


def deadline_for(
    *,
    service_code: str,
    data: TriageInput,
    layout: Layout,
    now: dt.datetime,
    value_tier: str = "standard",
) -> dt.date:
    """The deadline that makes the product's triage at `now` give the layout's verdict."""
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    fits: list[dt.date] = []
    for k in range(HORIZON_WORKDAYS + 1):
        deadline = cal.add_workdays(today, k)
        result = run_triage(
            service_code=service_code,
            data=replace(data, deadline=deadline),
            now=now,
            value_tier=value_tier,
        )
        if layout.admits(result):
            fits.append(deadline)
            if 0 <= layout.pick < len(fits):
                break
        elif fits:
            # A later deadline only relaxes the plan: the verdict, once changed, stays changed.
            break
    if not fits:
        raise LayoutError(
            f"{service_code}: no deadline within {HORIZON_WORKDAYS} working days of "
            f"{now.isoformat()} gives {layout}"
        )
    index = layout.pick if layout.pick < 0 else min(layout.pick, len(fits) - 1)
    return fits[index]


def demo_case_open(
    *,
    actor,
    client,
    service_code: str,
    reason: str,
    data: TriageInput,
    layout: Layout,
    now: dt.datetime,
):
    """Open and triage a demo case at `now` with the deadline its layout needs."""
    deadline = deadline_for(
        service_code=service_code, data=data, layout=layout, now=now, value_tier=client.value_tier
    )
    case = case_create(
        actor=actor,
        client_id=client.pk,
        service_code=service_code,
        requested_deadline=deadline,
        reason=reason,
        now=now,
    )
    return case_triage(actor=actor, case=case, data=replace(data, deadline=deadline), now=now)
