"""The proposal is the best plan of its run: never worse than a simple plan made beside it."""

import pytest

from expedite.domain.scheduling import check, solve, solve_best
from expedite.domain.scheduling.greedy import BASELINES, RULES
from tests.domain.test_scheduling_solvers import firm_like

SIMPLE = [f"greedy:{r}" for r in RULES] + list(BASELINES)


@pytest.mark.parametrize("solver", ["greedy", "cpsat", "cpsat+lns"])
@pytest.mark.parametrize("seed", [5, 20])  # firms where deadline order beats every greedy rule
def test_the_proposal_is_never_worse_than_any_simple_plan_of_the_same_run(
    solver, seed, monkeypatch
):
    from expedite.domain.scheduling import cpsat

    if solver == "cpsat+lns":
        monkeypatch.setattr(cpsat, "LNS_TASKS", 20)  # counts as big: search locally
    problem = firm_like(seed)
    result = solve_best(problem, solver=solver.split("+")[0], time_limit=0.3)
    assert check(problem, result.best) == []
    assert set(SIMPLE) <= set(result.plans)
    for name, plan in result.plans.items():
        assert result.best.objective.key() <= plan.objective.key(), name
        assert result.best.objective.weighted_tardiness <= plan.objective.weighted_tardiness
    # The simple plans are the solvers' own, made once.
    assert result.plans["edf"].placements == solve(problem, solver="edf").placements
    assert result.best.objective.weighted_tardiness < min(
        result.plans[f"greedy:{r}"].objective.weighted_tardiness for r in RULES
    )
    if solver == "greedy":  # deadline order won: said so, still a quick plan
        assert result.best.solver == "greedy>edf"


def test_the_search_starts_from_the_best_simple_plan_with_the_whole_budget(monkeypatch):
    from expedite.domain.scheduling import cpsat

    seen = {}
    real = cpsat.solve_cpsat

    def spy(problem, **kw):
        seen.update(kw)
        return real(problem, **kw)

    monkeypatch.setattr(cpsat, "solve_cpsat", spy)
    problem = firm_like(5)
    result = solve_best(problem, solver="cpsat", time_limit=0.4)
    best_simple = min((result.plans[n] for n in SIMPLE), key=lambda s: s.objective.key())
    assert seen["start"] is best_simple and best_simple.solver == "edf"
    assert seen["time_limit"] == 0.4  # the simple plans are not charged to the search


def test_a_search_that_ends_worse_than_a_simple_plan_is_not_proposed(monkeypatch):
    from expedite.domain.scheduling import cpsat

    problem = firm_like(5)
    # A search cut short that returns arrival order: valid, and worse than deadline order.
    monkeypatch.setattr(cpsat, "solve_cpsat", lambda problem, **kw: solve(problem, solver="fifo"))
    result = solve_best(problem, solver="cpsat", time_limit=0.1)
    assert result.best.solver == "cpsat>edf"
    assert result.best.placements == result.plans["edf"].placements
    assert result.plans["fifo"].objective.key() > result.best.objective.key()
