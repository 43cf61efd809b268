"""Test data built through the product's own services, so every row a test starts from was
written as a user's action would write it (with its audit event and its clocks).

    case = new_case(world, service="vat-credit-refund", days=40)
    case = triaged(world, case, facts={"business_license_valid": True})
    case = moved(world, case, "quoted", "accepted")

`world` is the suite's fixture (tests/conftest.py): the demo firm's staff and two clients,
acme (a contact without e-mail) and hengxin (吴刚, with an e-mail address).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from expedite import clock
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.cases.services import case_create
from expedite.cases.triage import TriageInput, case_triage


def new_case(
    world,
    *,
    client=None,
    service: str = "business-change",
    deadline: dt.date | None = None,
    days: int = 30,
    reason: str = "签约",
    actor=None,
) -> Case:
    """A new request (草稿) opened by the liaison, due `days` calendar days from today unless a
    `deadline` is given."""
    return case_create(
        actor=actor or world.zhang,
        client_id=(client or world.acme).pk,
        service_code=service,
        requested_deadline=deadline or timezone.localdate() + dt.timedelta(days=days),
        reason=reason,
        now=clock.now(),
    )


def triaged(world, case: Case, *, facts: dict | None = None, written_notice: bool = True) -> Case:
    """The case triaged by the liaison against its own deadline."""
    return case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(
            deadline=case.requested_deadline, written_notice=written_notice, facts=facts or {}
        ),
        now=timezone.now(),
    )


def moved(world, case: Case, *states: str, actor=None) -> Case:
    """The case moved through `states` in order, each move as the lifecycle allows it."""
    for state in states:
        case = case_transition(actor=actor or world.zhang, case=case, to=state, now=timezone.now())
    return case
