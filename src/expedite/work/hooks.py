"""What running a case does when the case moves."""

from __future__ import annotations

import datetime as dt

from expedite.cases.models import Case
from expedite.domain.cases import CaseState

from .steps import plan_lay_out
from .team import team_propose


def on_transition(case: Case, previous: CaseState, actor, now: dt.datetime) -> None:
    # Accepting a case lays out its tracks and steps and proposes its three people; both are
    # idempotent, so accepting again after a hold changes nothing already decided.
    if case.state == CaseState.ACCEPTED.value and previous != CaseState.ON_HOLD:
        plan_lay_out(actor=actor, case=case, now=now)
        if not case.assignments.filter(status="confirmed").exists():
            team_propose(actor=actor, case=case, now=now, system=True)
