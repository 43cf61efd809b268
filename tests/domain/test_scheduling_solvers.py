"""CP-SAT against known optima, greedy against CP-SAT, and determinism for a seed."""

import itertools
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expedite.domain.scheduling import Problem, Task, Worker, check, solve
from expedite.domain.scheduling.psplib import critical_path_bound, load_sm, parse_solutions

PSPLIB = Path(os.environ.get("EXPEDITE_PSPLIB", "/work/shared/benchmarks/psplib"))


def single_machine(jobs):
    """(hours, due, weight) per job, one worker: every order is a schedule without gaps."""
    tasks = tuple(
        Task(f"j{i}", f"c{i}", h, "reg", due=d, weight=wt) for i, (h, d, wt) in enumerate(jobs)
    )
    return Problem(tasks, (Worker("li", frozenset({"reg"})),))


def brute_force_tardiness(jobs):
    best = None
    for order in itertools.permutations(jobs):
        t = cost = 0
        for h, d, wt in order:
            t += h
            cost += wt * max(0, t - d)
        best = cost if best is None else min(best, cost)
    return best


jobs = st.lists(
    st.tuples(st.integers(1, 6), st.integers(0, 15), st.sampled_from([1.0, 2.0, 3.0])),
    min_size=1,
    max_size=6,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jobs)
def test_cpsat_finds_the_single_machine_optimum_and_greedy_is_never_better(jobs):
    problem = single_machine(jobs)
    exact = solve(problem, solver="cpsat", time_limit=1.0)
    assert check(problem, exact) == []
    assert exact.optimal
    assert exact.objective.weighted_tardiness == brute_force_tardiness(jobs)
    assert exact.objective.makespan == sum(h for h, _, _ in jobs)
    for solver in ("greedy", "fifo", "edf"):
        other = solve(problem, solver=solver)
        assert check(problem, other) == []
        assert other.objective.key() >= exact.objective.key()


def test_cpsat_beats_edf_where_weights_matter():
    # EDF runs the light early job first; the optimum runs the heavy one first.
    problem = single_machine([(3, 3, 1.0), (3, 4, 10.0)])
    assert solve(problem, solver="edf").objective.weighted_tardiness == 20.0
    best = solve(problem, solver="cpsat", time_limit=1.0)
    assert best.objective.weighted_tardiness == 3.0
    assert best.placements["j1"].start == 0


def test_cpsat_keeps_todays_plan_when_nothing_is_gained_by_moving():
    workers = (Worker("li", frozenset({"reg"})), Worker("wang", frozenset({"reg"})))
    tasks = (
        Task("a", "A", 2, "reg", current_worker="wang", current_start=3),
        Task("b", "B", 5, "reg", current_worker="li", current_start=0),
    )
    s = solve(Problem(tasks, workers), solver="cpsat", time_limit=1.0)
    assert s.optimal
    assert s.objective.makespan == 5
    assert s.objective.changes == 0
    assert s.placements["a"].worker_id == "wang"
    assert s.placements["a"].start == 3


def firm_like(seed, cases=25, staff=4):
    """A loaded little firm: three-step cases sharing two skills, tight deadlines."""
    rnd = random.Random(seed)
    workers = tuple(
        Worker(f"w{i}", frozenset({"reg", "tax"} if i % 2 else {"reg"}), ((10 + i, 14 + i),))
        for i in range(staff)
    )
    tasks = []
    for c in range(cases):
        due, weight = rnd.randint(8, 40), rnd.choice([1.0, 2.0, 5.0])
        first = Task(f"{c}a", f"c{c}", rnd.randint(1, 4), "reg", release=rnd.randint(0, 10))
        wait = Task(f"{c}b", f"c{c}", rnd.randint(2, 8), None, (first.id,))
        last = Task(f"{c}c", f"c{c}", rnd.randint(1, 4), "tax", (wait.id,), due=due, weight=weight)
        tasks += [first, wait, last]
    return Problem(tuple(tasks), workers)


def test_cpsat_is_deterministic_for_a_seed_even_when_the_limit_binds():
    problem = firm_like(7)
    first = solve(problem, solver="cpsat", time_limit=0.3, seed=3)
    assert not first.optimal  # the limit cut the search short: the hard case for determinism
    again = solve(problem, solver="cpsat", time_limit=0.3, seed=3)
    assert check(problem, first) == []
    assert again.placements == first.placements
    assert again.objective == first.objective


def test_cpsat_is_never_worse_than_greedy_on_a_loaded_firm():
    for seed in (1, 2):
        problem = firm_like(seed)
        greedy = solve(problem, rule="best")
        exact = solve(problem, solver="cpsat", time_limit=0.5, seed=0)
        assert check(problem, greedy) == []
        assert check(problem, exact) == []
        assert exact.objective.key() <= greedy.objective.key()
        edf = solve(problem, solver="edf")
        assert exact.objective.weighted_tardiness < edf.objective.weighted_tardiness


needs_psplib = pytest.mark.skipif(
    not (PSPLIB / "j30").is_dir(), reason="PSPLIB instances are not on this machine"
)


@needs_psplib
@pytest.mark.parametrize("name", ["j301_1", "j301_2"])
def test_psplib_j30_optimum_is_reached(name):
    best = parse_solutions(PSPLIB / "solutions" / "j30hrs.sm")[name]
    problem = load_sm(PSPLIB / "j30" / f"{name}.sm")
    assert len(problem.tasks) == 32
    assert len(problem.pools) == 4
    assert critical_path_bound(problem) <= best
    exact = solve(problem, solver="cpsat", time_limit=1.0)
    greedy = solve(problem, solver="greedy", rule="lft")
    assert check(problem, exact) == []
    assert check(problem, greedy) == []
    assert exact.objective.makespan == best
    assert greedy.objective.makespan >= best


def test_the_neighbourhood_search_is_deterministic_valid_and_no_worse(monkeypatch):
    from expedite.domain.scheduling import cpsat

    monkeypatch.setattr(cpsat, "LNS_TASKS", 20)  # this firm counts as big: search locally
    problem = firm_like(5, cases=30, staff=4)
    greedy = solve(problem, rule="best")
    first = solve(problem, solver="cpsat", time_limit=0.5, seed=11)
    again = solve(problem, solver="cpsat", time_limit=0.5, seed=11)
    assert first.solver == "cpsat+lns"
    assert check(problem, first) == []
    assert again.placements == first.placements
    assert first.objective.key() < greedy.objective.key()
