import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expedite.domain.errors import DomainError
from expedite.domain.staffing import (
    Demand,
    Need,
    Person,
    allocate,
    candidates,
    check_team,
    propose_team,
    step_hours,
)

D = [dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(5)]  # Mon..Fri


def person(pid, roles, skills=("工商",), cap=8.0, team=False, absent=()):
    return Person(pid, f"p{pid}", frozenset(roles), frozenset(skills), cap, team, frozenset(absent))


def need(role, skills=("工商",), days=D[:2], hours=4.0):
    return Need(role, frozenset(skills), {d: hours for d in days})


def test_skill_beats_load():
    busy_skilled = person(1, {"process"}, {"工商"})
    idle_unskilled = person(2, {"process"}, {"税务"})
    load = {(1, D[0]): 4.0}
    ranked = candidates(need("process"), [idle_unskilled, busy_skilled], load)
    assert [c.person.id for c in ranked] == [1, 2]
    assert ranked[1].missing_skills == {"工商"}
    assert "缺少技能：工商" in ranked[1].reason_zh()


def test_lighter_load_and_presence_win():
    a = person(1, {"process"})
    b = person(2, {"process"})
    c = person(3, {"process"}, absent={D[0]})
    load = {(1, D[0]): 6.0, (1, D[1]): 6.0}
    ranked = candidates(need("process"), [a, b, c], load)
    assert [x.person.id for x in ranked] == [2, 3, 1]
    assert ranked[2].over_capacity  # 12 + 8 > 16
    assert "将超出产能" in ranked[2].reason_zh()
    assert "1 天请假" in ranked[1].reason_zh()


def test_away_for_the_whole_window_ranks_last_even_with_the_skills():
    away = person(1, {"process"}, {"工商"}, absent=D[:2])
    unskilled = person(2, {"process"}, {"税务"})
    assert [c.person.id for c in candidates(need("process"), [away, unskilled], {})] == [2, 1]


def test_only_people_with_the_role():
    assert candidates(need("risk"), [person(1, {"process"})], {}) == []


def test_risk_is_never_process_even_if_only_one_person_could():
    both = person(1, {"process", "risk"})
    team = propose_team({"process": need("process"), "risk": need("risk")}, [both], {})
    assert team.chosen["process"].person.id == 1
    assert team.chosen["risk"] is None


def test_three_different_people_when_possible():
    people = [
        person(1, {"process", "risk", "liaison"}),
        person(2, {"risk"}),
        person(3, {"liaison"}),
    ]
    needs = {r: need(r) for r in ("liaison", "process", "risk")}
    team = propose_team(needs, people, {})
    assert {r: c.person.id for r, c in team.chosen.items()} == {
        "process": 1,
        "risk": 2,
        "liaison": 3,
    }


def test_liaison_may_double_when_nobody_else():
    people = [person(1, {"process", "liaison"}), person(2, {"risk"})]
    team = propose_team({r: need(r) for r in ("liaison", "process", "risk")}, people, {})
    assert team.chosen["liaison"].person.id == 1


def test_check_team():
    check_team({"process": 1, "risk": 2, "liaison": 1})
    with pytest.raises(DomainError) as e:
        check_team({"process": 1, "risk": 1})
    assert "四眼" in e.value.template


def test_allocate_the_queue_decides_who_waits():
    # Project acceptance (priority 0.9) and bank loan (0.5) both need person 7 for 8 h on Monday.
    cap = {(7, d): 8.0 for d in D}
    acceptance = Demand(1, 7, 0.9, {D[0]: 8.0})
    loan = Demand(2, 7, 0.5, {D[0]: 8.0})
    waits = allocate([loan, acceptance], cap, D)
    assert len(waits) == 1
    w = waits[0]
    assert (w.case_id, w.person_id, w.workdays, w.behind) == (2, 7, 1, (1,))


def test_allocate_absence_pushes_work():
    cap = {(7, D[0]): 0.0, **{(7, d): 8.0 for d in D[1:]}}
    waits = allocate([Demand(1, 7, 1.0, {D[0]: 4.0})], cap, D)
    assert waits[0].workdays == 1 and waits[0].behind == ()


def test_allocate_spill_past_horizon():
    cap = {(7, d): 1.0 for d in D}
    waits = allocate([Demand(1, 7, 1.0, {D[0]: 8.0})], cap, D)
    assert waits[0].workdays == len(D)


@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.lists(st.integers(0, 4), min_size=1, max_size=3)),
        min_size=1,
        max_size=6,
    )
)
def test_allocate_never_makes_the_first_in_queue_wait_within_capacity(specs):
    cap = {(1, d): 8.0 for d in D}
    demands = [Demand(i, 1, p, {D[k]: 4.0 for k in set(days)}) for i, (p, days) in enumerate(specs)]
    waits = allocate(demands, cap, D)
    first = sorted(demands, key=lambda x: (-x.priority, x.case_id))[0]
    assert first.case_id not in {w.case_id for w in waits}
    for w in waits:
        assert w.workdays > 0


def test_step_hours_ignores_government_and_supervisor_steps():
    hours = step_hours(
        [("process", D[:2]), ("government", D), ("supervisor", D), ("process", D[1:2])]
    )
    assert hours == {"process": {D[0]: 4.0, D[1]: 8.0}}


def test_case_needs_reviewer_knows_everything_and_baselines_fill_the_window():
    from expedite.domain.staffing import case_needs

    needs = case_needs(
        [("process", "外资", D[:2]), ("liaison", "法务", D[2:3]), ("government", "工商", D[3:4])], D
    )
    assert needs["risk"].skills == {"外资", "法务", "工商"}
    assert needs["process"].skills == {"外资"}
    assert needs["process"].hours == 8.0
    assert needs["liaison"].hours == 4.0 + 5 * 1.0
    assert needs["risk"].hours == 5.0
