"""Properties every plan of every service must have."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from expedite.catalog import load_default_catalog
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.planning import PlanFacts, plan

CAL = WorkCalendar(statutory_arrangements())
CATALOG = load_default_catalog()
ALL = PlanFacts(
    preconditions=frozenset(c for c, _ in CATALOG.preconditions),
    flags=frozenset({"likely-rejection"}),
)
services = st.sampled_from(CATALOG.services)
starts = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2026, 10, 31),
    timezones=st.just(SHANGHAI),
)


@st.composite
def service_and_levers(draw):
    service = draw(services)
    codes = [lv.code for lv in service.levers]
    chosen = draw(st.lists(st.sampled_from(codes), unique=True)) if codes else []
    return service, chosen


@given(service_and_levers(), starts)
@settings(max_examples=300)
def test_a_plan_never_violates_a_dependency_and_ends_on_a_workday(pair, start):
    service, levers = pair
    p = plan(service, start, CAL, levers, ALL)
    finish = {s.code: s.finish for s in p.steps}
    for s in p.steps:
        assert s.start >= p.start
        assert s.finish >= s.start
        for d in s.depends_on:
            assert s.start >= finish[d]
    assert p.finish == max(s.finish for s in p.steps)
    assert CAL.is_workday(p.finish_date)
    assert set(p.critical_path) <= {s.code for s in p.steps}


@given(service_and_levers(), starts, st.data())
@settings(max_examples=300)
def test_adding_a_lever_never_makes_the_finish_later(pair, start, data):
    service, levers = pair
    if not service.levers:
        return
    extra = data.draw(st.sampled_from([lv.code for lv in service.levers]))
    before = plan(service, start, CAL, levers, ALL)
    after = plan(service, start, CAL, [*levers, extra], ALL)
    assert after.finish <= before.finish


@given(service_and_levers(), starts, st.randoms(use_true_random=False))
@settings(max_examples=200)
def test_the_order_of_the_levers_does_not_matter(pair, start, rnd):
    service, levers = pair
    shuffled = list(levers)
    rnd.shuffle(shuffled)
    assert (
        plan(service, start, CAL, levers, ALL).finish
        == plan(service, start, CAL, shuffled, ALL).finish
    )
