"""The scheduling model, its checker and the solvers on small hand-made instances."""

import pytest

from expedite.domain.scheduling import (
    Placement,
    Problem,
    Schedule,
    SchedulingError,
    Task,
    Worker,
    case_tardiness,
    check,
    evaluate,
    solve,
)


def w(wid, *skills, blocked=()):
    return Worker(wid, frozenset(skills), tuple(blocked))


def kinds(problem, schedule):
    return sorted({v.kind for v in check(problem, schedule)})


def schedule_of(problem, **placements):
    ps = {k: Placement(k, *v) for k, v in placements.items()}
    return Schedule(ps, evaluate(problem, ps), "hand", optimal=False, seconds=0.0)


# Two cases for one specialist: the heavy urgent one must go first.
TWO_CASES = Problem(
    tasks=(
        Task("a1", "A", 4, "reg", due=8, weight=1.0),
        Task("a2", "A", 4, "reg", ("a1",), due=8, weight=1.0),
        Task("b1", "B", 2, "reg", due=2, weight=5.0),
    ),
    workers=(w("li", "reg"),),
)


@pytest.mark.parametrize("solver", ["greedy", "edf"])
def test_the_urgent_heavy_case_goes_first(solver):
    s = solve(TWO_CASES, solver=solver)
    assert check(TWO_CASES, s) == []
    assert s.placements["b1"].start == 0
    assert case_tardiness(TWO_CASES, s) == {"A": 2, "B": 0}
    assert s.objective.weighted_tardiness == 2.0
    assert s.objective.makespan == 10


def test_fifo_keeps_arrival_order_and_pays_for_it():
    s = solve(TWO_CASES, solver="fifo")
    assert check(TWO_CASES, s) == []
    assert s.placements["b1"].start == 8
    assert case_tardiness(TWO_CASES, s) == {"A": 0, "B": 8}
    assert s.objective.weighted_tardiness == 40.0


def test_greedy_uses_the_specialist_and_respects_absences_and_release():
    p = Problem(
        tasks=(
            Task("x", "C", 3, "tax", release=2),
            Task("y", "C", 2, "reg", ("x",)),
            Task("wait", "C", 5, None, ("y",)),
        ),
        workers=(w("generalist", "tax", "reg", blocked=[(0, 6)]), w("taxman", "tax")),
    )
    s = solve(p)
    assert check(p, s) == []
    assert s.placements["x"] == Placement("x", 2, 5, "taxman")
    assert s.placements["y"] == Placement("y", 6, 8, "generalist")
    assert s.placements["wait"] == Placement("wait", 8, 13, None)


def test_running_steps_keep_their_worker_and_start():
    p = Problem(
        tasks=(
            Task("run", "C", 4, "reg", pinned_worker="li", pinned_start=0),
            Task("next", "D", 2, "reg", due=2, weight=9.0),
        ),
        workers=(w("li", "reg"), w("wang", "reg")),
    )
    for solver in ("greedy", "fifo", "edf"):
        s = solve(p, solver=solver)
        assert check(p, s) == []
        assert s.placements["run"] == Placement("run", 0, 4, "li")
        assert s.placements["next"] == Placement("next", 0, 2, "wang")


def test_pools_are_cumulative():
    p = Problem(
        tasks=tuple(Task(f"t{i}", "P", 2, demands={"room": 2}) for i in range(3)),
        pools={"room": 4},
    )
    s = solve(p)
    assert check(p, s) == []
    assert sorted(pl.start for pl in s.placements.values()) == [0, 0, 2]


def test_changes_count_moves_against_todays_plan():
    p = Problem(
        tasks=(
            Task("a", "A", 2, "reg", current_worker="wang", current_start=0),
            Task("b", "B", 2, "reg", current_worker="li", current_start=5),
        ),
        workers=(w("li", "reg"), w("wang", "reg")),
    )
    s = solve(p)
    assert s.placements["a"].worker_id == "wang"  # today's worker kept on a tie
    assert s.objective.changes == 1  # b moves earlier: a better makespan is worth it


FAULTY = Problem(
    tasks=(
        Task("a", "A", 2, "reg", release=1),
        Task("b", "A", 2, "reg", ("a",), pinned_worker="li"),
        Task("c", "B", 3, "tax", demands={"room": 1}),
        Task("d", "B", 1, "reg", pinned_start=5),
        Task("e", "C", 1, None, demands={"room": 1}),
    ),
    workers=(w("li", "reg", blocked=[(6, 8)]), w("wang", "reg", "tax")),
    pools={"room": 1},
)
VALID = {
    "a": (1, 3, "wang"),
    "b": (3, 5, "li"),
    "c": (3, 6, "wang"),
    "d": (5, 6, "li"),
    "e": (0, 1, None),
}


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"a": (0, 2, "wang")}, "release"),
        ({"b": (2, 4, "li")}, "precedence"),
        ({"d": (7, 8, "wang")}, "pinned"),
        ({"c": (2, 5, "wang")}, "capacity"),  # wang still on a until 3
        ({"e": (3, 4, None)}, "capacity"),  # the one room is taken by c
        ({"c": (3, 6, None)}, "skill"),
        ({"e": (0, 1, "wang")}, "skill"),
        ({"e": (0, 2, None)}, "duration"),
        ({"e": None}, "missing"),
    ],
)
def test_checker_names_each_fault(change, kind):
    assert kinds(FAULTY, schedule_of(FAULTY, **VALID)) == []
    placements = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    assert kinds(FAULTY, schedule_of(FAULTY, **placements)) == [kind]


def test_checker_sees_absences_and_pinned_workers():
    away = Problem(
        FAULTY.tasks, (w("li", "reg", blocked=[(4, 5)]), FAULTY.workers[1]), FAULTY.pools
    )
    assert kinds(away, schedule_of(away, **VALID)) == ["calendar"]
    moved = {**VALID, "b": (6, 8, "wang")}
    assert kinds(FAULTY, schedule_of(FAULTY, **moved)) == ["pinned"]


def test_unschedulable_input_is_refused_in_chinese():
    p = Problem(tasks=(Task("a", "A", 1, "notary"),), workers=(w("li", "reg"),))
    with pytest.raises(SchedulingError, match="没有人能做"):
        solve(p)
    cyc = Problem(tasks=(Task("a", "A", 1, None, ("b",)), Task("b", "A", 1, None, ("a",))))
    with pytest.raises(SchedulingError, match="有环"):
        solve(cyc)


def test_a_pinned_worker_keeps_the_step_even_without_the_skill():
    p = Problem(
        tasks=(Task("a", "A", 2, "tax", pinned_worker="li"), Task("b", "A", 1, "tax", ("a",))),
        workers=(w("li", "reg"), w("wang", "tax")),
    )
    for solver in ("greedy", "cpsat"):
        s = solve(p, solver=solver, time_limit=0.5)
        assert check(p, s) == []
        assert s.placements["a"].worker_id == "li"
        assert s.placements["b"].worker_id == "wang"
    moved = schedule_of(p, a=(0, 2, "wang"), b=(2, 3, "li"))
    assert kinds(p, moved) == ["pinned", "skill"]


# A specialist started a second filing while the first waits on an office: two steps of one
# person under way at once. They are facts (pinned worker and start), not choices.
UNDER_WAY = Problem(
    tasks=(
        Task("filing", "A", 4, "reg", pinned_worker="li", pinned_start=0),
        Task("second", "B", 3, "reg", pinned_worker="li", pinned_start=1),
        Task("after", "A", 2, "reg", ("filing",), due=6, weight=1.0),
        Task("urgent", "C", 2, "reg", due=2, weight=5.0),
        Task("later", "D", 3, "reg", due=12, weight=1.0),
    ),
    workers=(w("li", "reg", blocked=[(3, 4)]), w("wang", "reg")),
)


@pytest.mark.parametrize("solver", ["greedy", "fifo", "edf", "cpsat", "cpsat+lns"])
def test_two_steps_already_under_way_for_one_person_are_kept_and_the_rest_planned(
    solver, monkeypatch
):
    if solver == "cpsat+lns":
        from expedite.domain.scheduling import cpsat

        monkeypatch.setattr(cpsat, "LNS_TASKS", 2)  # counts as big: search locally
    s = solve(UNDER_WAY, solver=solver.split("+")[0], time_limit=0.5)
    assert check(UNDER_WAY, s) == []
    assert s.placements["filing"] == Placement("filing", 0, 4, "li")
    # Under way during li's hour away too: what has begun is not undone by the calendar.
    assert s.placements["second"] == Placement("second", 1, 4, "li")
    # Everything else goes around them: nothing more for li before hour 4.
    for tid in ("after", "urgent", "later"):
        p = s.placements[tid]
        assert p.worker_id == "wang" or p.start >= 4
    assert s.placements["urgent"] == Placement("urgent", 0, 2, "wang")
    if solver == "cpsat":  # solved, not the greedy plan kept because the model was infeasible
        assert s.solver == "cpsat" and s.optimal


def test_only_steps_under_way_may_overlap_for_one_person():
    facts = {"filing": (0, 4, "li"), "second": (1, 4, "li"), "later": (9, 12, "wang")}
    ok = schedule_of(UNDER_WAY, **facts, after=(4, 6, "li"), urgent=(0, 2, "wang"))
    assert kinds(UNDER_WAY, ok) == []
    # A step not yet begun is a choice: it may not join them, nor sit in li's absence.
    joined = schedule_of(UNDER_WAY, **facts, after=(4, 6, "wang"), urgent=(2, 4, "li"))
    assert kinds(UNDER_WAY, joined) == ["calendar", "capacity"]
    # Nor does a step pinned to li but not started count as a fact.
    pinned = Problem(
        tasks=(*UNDER_WAY.tasks[:2], Task("next", "E", 1, "reg", pinned_worker="li")),
        workers=UNDER_WAY.workers,
    )
    started = {"filing": (0, 4, "li"), "second": (1, 4, "li")}
    assert kinds(pinned, schedule_of(pinned, **started, next=(4, 5, "li"))) == []
    assert kinds(pinned, schedule_of(pinned, **started, next=(2, 3, "li"))) == ["capacity"]
