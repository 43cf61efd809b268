"""The demo's cases are laid out from the product's own triage at the instant the demo loads, so
each shows its verdict whenever `expedite setup` runs. The whole demo is loaded at the suite's
instant by test_commands (and CI runs the suite at several instants); here every layout is
checked at the instants that broke it before, which costs triage only."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from expedite.cases.demo_layout import Layout, LayoutError, deadline_for, demo_intake
from expedite.cases.triage import run_triage
from expedite.domain.calendar import SHANGHAI
from expedite.domain.triage import Verdict
from expedite.ops.demo import DEMO_CASES, _triage_input
from expedite.workdays.selectors import firm_calendar

pytestmark = pytest.mark.django_db

# Every hour of a Friday into the weekend, then the instants that broke the demo before.
INSTANTS = (
    *(f"2026-12-04T{hour:02d}:30:00+08:00" for hour in range(24)),
    "2026-12-03T14:48:00+08:00",  # Thursday afternoon: the demo failed from about 11:00 on
    "2026-12-04T17:59:00+08:00",  # a minute before the weekend
    "2026-12-05T10:00:00+08:00",  # Saturday
    "2026-12-06T23:59:00+08:00",  # Sunday night
    "2026-12-31T23:30:00+08:00",  # New Year's Eve, 2027 provisional
    "2026-02-14T17:30:00+08:00",  # the make-up Saturday before the Spring Festival break
    "2027-02-04T17:30:00+08:00",  # the eve of 2027's Spring Festival, a provisional year
    "2026-09-30T08:00:00+08:00",  # the morning before National Day
)
LAID_OUT = [(service, where, spec) for _c, service, where, _r, spec in DEMO_CASES if spec]


@pytest.mark.parametrize("instant", INSTANTS)
def test_every_seed_example_shows_its_verdict_at_any_instant(catalog, instant):
    now = dt.datetime.fromisoformat(instant)
    for service, layout, spec in LAID_OUT:
        data = _triage_input(spec, now.date())
        deadline = deadline_for(service_code=service, data=data, layout=layout, now=now)
        result = run_triage(
            service_code=service,
            data=replace(data, deadline=deadline),
            now=now,
            value_tier="standard",
        )
        assert result.verdict == layout.verdict, (service, instant, result.reasons)
        if layout.meets is not None:
            assert bool(result.chosen.meets_deadline) is layout.meets
        assert deadline >= now.astimezone(SHANGHAI).date()


def test_room_to_spare_moves_the_deadline_by_working_days(catalog):
    now = dt.datetime(2026, 12, 4, 17, 59, tzinfo=SHANGHAI)
    data = demo_intake(
        written_notice=True, facts={"business_license_valid": True, "prepackaged_only": False}
    )
    first = deadline_for(
        service_code="food-business-license",
        data=data,
        layout=Layout(Verdict.NOT_NEEDED),
        now=now,
    )
    spare = deadline_for(
        service_code="food-business-license",
        data=data,
        layout=Layout(Verdict.NOT_NEEDED, pick=2),
        now=now,
    )
    assert firm_calendar().workdays_between(first, spare) == 2
    # A day earlier than the first 假急 deadline, the standard path no longer makes it.
    earlier = firm_calendar().add_workdays(first, -1)
    result = run_triage(
        service_code="food-business-license",
        data=replace(data, deadline=earlier),
        now=now,
        value_tier="standard",
    )
    assert result.verdict != Verdict.NOT_NEEDED


def test_a_verdict_the_service_cannot_give_is_said_plainly(catalog):
    now = dt.datetime(2026, 12, 3, 10, tzinfo=SHANGHAI)
    with pytest.raises(LayoutError, match="tax-filing"):
        deadline_for(
            service_code="tax-filing",
            data=demo_intake(written_notice=True),
            layout=Layout(Verdict.REFUSED),
            now=now,
        )
