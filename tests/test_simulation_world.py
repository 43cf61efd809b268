"""The firm-year simulation's world and engine (benchmarks/simulation): the draws are the
same whoever runs them, deadlines fall on the calendar, and the staff's hours go where the
policy's order sends them."""

import dataclasses
import datetime as dt

import pytest
from benchmarks.simulation import engine
from benchmarks.simulation.engine import Staff, run_year
from benchmarks.simulation.figures import figures, lead_days, promise_for
from benchmarks.simulation.policies import Intake, Replay, StepPlan
from benchmarks.simulation.world import Params, Request, Task, draw_requests, step_draws

from expedite.domain.calendar import WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements

SERVICES = [("a", 3), ("b", 8), ("c", 15)]
# A world that does not push back: every draw is the plan.
CALM = Params(
    cases=2,
    urgent=0,
    office_sigma=0.0,
    rejection=0.0,
    client_late=0.0,
    effort_sigma=0.0,
    sick=0.0,
    leave_spells=0,
)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar(statutory_arrangements())


def test_the_same_seed_draws_the_same_year(cal):
    params = Params(cases=120, urgent=20)
    first = draw_requests(params, 1, cal, SERVICES)
    assert first == draw_requests(params, 1, cal, SERVICES)
    assert first != draw_requests(params, 2, cal, SERVICES)
    assert len(first) == 120 and sum(r.urgent for r in first) == 20
    assert all(r.false_urgency <= r.urgent for r in first)


def test_deadlines_are_working_days_the_standard_path_misses_only_when_urgent(cal):
    for r in draw_requests(Params(cases=300, urgent=60), 3, cal, SERVICES):
        assert cal.is_workday(r.arrival) and r.arrival.year == 2026
        assert cal.is_workday(r.deadline) and r.deadline >= r.arrival
        # The standard plan finishes std - 1 working days after the request (its first day
        # counts): urgent deadlines fall before it, the others after it.
        offset = cal.workdays_between(r.arrival, r.deadline) if r.deadline > r.arrival else 0
        assert offset < r.std - 1 if r.urgent else offset > r.std - 1


def test_the_2026_spring_festival_make_up_saturday_receives_requests(cal):
    # 2026-02-14 is a Saturday worked in exchange for the Spring Festival holiday.
    days = {r.arrival for r in draw_requests(Params(cases=3000, urgent=0), 1, cal, SERVICES)}
    assert dt.date(2026, 2, 14) in days
    assert not any(dt.date(2026, 2, 16) <= d <= dt.date(2026, 2, 23) for d in days)


def test_a_step_meets_the_same_world_whichever_policy_runs_it():
    params = Params(rejection=0.5)
    tasks = [Task("submit", "government", (), 7_200_000_000 * 4, dt.date(2026, 3, 2)) for _ in "ab"]
    for task in tasks:
        step_draws(params, 7, 12, task, 8.0)
    assert tasks[0].left == tasks[1].left and tasks[0].rejected_at == tasks[1].rejected_at


def _intake(promise: dt.date, priority: float, hours: float) -> Intake:
    # Effort is 4 h per working day (7.5 h) the plan gives the step.
    us = int(hours / 4 * 7.5 * 3_600_000_000)
    step = StepPlan("work", "process", (), us, promise, person=0)
    return Intake(promise, priority, True, 0.2, (step,), (step,))


def test_the_order_of_work_decides_who_is_late(cal):
    # One person, two cases arriving the same morning, each needing a whole day of work: the
    # one worked first is done that day, the other the next.
    day = dt.date(2026, 3, 2)
    requests = [
        Request(n, day, 0.0, "a", 3, day, False, False, "lost_business", True, 0, 0)
        for n in range(2)
    ]
    decided = {0: _intake(dt.date(2026, 3, 4), 1.0, 7.5), 1: _intake(day, 2.0, 7.5)}
    staff = Staff(caps=[7.5], roles=["process"])
    params = dataclasses.replace(CALM, year=2026)
    done = {}
    for name in ("fcfs", "edf"):
        year = run_year(
            Replay(name, decided, cal, staff), requests, params=params, seed=1, cal=cal, staff=staff
        )
        done[name] = {j.request.n: year.date_of(j.delivered) for j in year.jobs}
        assert figures(year, requests, cal)["promises"] == 2
    assert done["fcfs"] == {0: day, 1: dt.date(2026, 3, 3)}
    assert done["edf"] == {1: day, 0: dt.date(2026, 3, 3)}


def test_a_late_client_moves_the_promise_by_the_days_waited(cal):
    r = Request(
        0, dt.date(2026, 9, 29), 0.0, "a", 3, dt.date(2026, 9, 30), True, False, "x", True, 0, 3
    )
    job = _intake(dt.date(2026, 9, 30), 1.0, 4).job(r, (0,))
    # 2026-10-01…07 is the National Day holiday and 10-10 a make-up Saturday: three working
    # days after 09-30 are 10-08, 10-09 and 10-10.
    assert promise_for(job, cal) == dt.date(2026, 10, 10)
    assert lead_days(cal, dt.date(2026, 9, 30), dt.date(2026, 10, 8)) == 1
    assert lead_days(cal, dt.date(2026, 9, 30), dt.date(2026, 9, 30)) == 0
    assert lead_days(cal, dt.date(2026, 10, 10), dt.date(2026, 9, 30)) == -3


def test_a_person_works_on_other_cases_while_a_higher_one_waits_for_an_office(cal):
    # Case 0 (first in line) needs 7 h at an office before its person's 2 h; case 1 needs 6 h
    # of the same person, ready at once: the person does case 1 in the morning, not nothing.
    day = dt.date(2026, 3, 2)
    office = StepPlan("submit", "government", (), int(7 / 7.5 * 7.5 * 3_600_000_000), day, None)
    after = StepPlan("file", "process", ("submit",), int(2 / 4 * 7.5 * 3_600_000_000), day, 0)
    first = Intake(day, 2.0, True, 0.2, (office, after), (office, after))
    second = _intake(dt.date(2026, 3, 4), 1.0, 6)
    requests = [
        Request(n, day, 0.0, "a", 3, day, False, False, "lost_business", True, 0, 0)
        for n in range(2)
    ]
    staff = Staff(caps=[7.5], roles=["process"])
    params = dataclasses.replace(CALM, year=2026)
    year = run_year(
        Replay("edf", {0: first, 1: second}, cal, staff),
        requests,
        params=params,
        seed=1,
        cal=cal,
        staff=staff,
    )
    done = {j.request.n: year.date_of(j.delivered) for j in year.jobs}
    assert done[1] == day
    # Case 0's 2 h come after its office's 7 h, into the evening as it is behind plan: 8 h
    # worked in a 7.5 h day is half an hour of overtime, wherever in the day it fell.
    assert done[0] == day and year.overtime == pytest.approx(0.5)


def test_a_step_whose_role_is_all_away_waits_and_is_done_when_they_return(cal, monkeypatch):
    # The only supervisor is off sick the day the case comes in: the step waits for them.
    day = dt.date(2026, 3, 2)
    step = StepPlan("check", "supervisor", (), int(7.5 * 3_600_000_000 / 4), day, 0)
    decided = {0: Intake(day, 1.0, False, 0.0, (step,), (step,))}
    requests = [Request(0, day, 0.0, "a", 3, day, False, False, "x", True, 0, 0)]
    staff = Staff(caps=[7.5], roles=["supervisor"])
    index = len(cal.workdays_in(dt.date(2026, 1, 1), day)) - 1
    monkeypatch.setattr(engine, "absences", lambda *_a: {0: [(index, index, "sick")]})
    year = run_year(
        Replay("edf", decided, cal, staff),
        requests,
        params=dataclasses.replace(CALM, year=2026),
        seed=1,
        cal=cal,
        staff=staff,
    )
    assert year.undelivered == 0
    assert year.date_of(year.jobs[0].delivered) == cal.next_workday(day)
