"""The best of several plans: never worse than a simple plan computed in the same run.

The simple plans — each greedy priority rule, deadline order (EDF) and arrival order (FIFO) —
take a fraction of a second even on thousands of cases. When asked for CP-SAT, the best of
them seeds the search (its complete hint, or the neighbourhood search's start), and CP-SAT
gets the whole `time_limit` to itself: computing the simple plans is not charged to it. The
result is the best candidate by the lexicographic objective (`Objective.key`), so a search cut
short, or one that could not improve its start, still ends with the best plan at hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from .greedy import BASELINES, RULES, solve_greedy
from .model import Problem, Schedule, SchedulingError, gettext_noop, validate

# (stage, share done in [0, 1]): "simple" while the simple plans are made, then "search".
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Portfolio:
    best: Schedule  # the best candidate; its solver reads "cpsat>edf" when a simple plan won
    plans: Mapping[str, Schedule]  # every candidate by its solver ("greedy:lft", "edf", …)
    seconds: float  # all of it: the simple plans and the search


def solve_best(
    problem: Problem,
    *,
    solver: str = "greedy",
    time_limit: float = 1.0,
    seed: int = 0,
    workers: int = 1,
    deterministic: bool = True,
    progress: Progress | None = None,
) -> Portfolio:
    """The simple plans, then (solver "cpsat") CP-SAT for `time_limit` from the best of them;
    returns the best of all. solver "greedy" makes only the simple plans."""
    if solver not in ("greedy", "cpsat"):
        raise SchedulingError(gettext_noop("未知的求解器 %(solver)s。"), params={"solver": solver})
    began = time.perf_counter()
    validate(problem)
    report = progress or (lambda _stage, _done: None)
    names = [*RULES, *BASELINES]
    plans: dict[str, Schedule] = {}
    for i, rule in enumerate(names):
        report("simple", i / len(names))
        s = solve_greedy(problem, rule)
        plans[s.solver] = s
    report("simple", 1.0)
    # On a tie the earlier rule wins, as in best_greedy (so greedy's own order is kept).
    start = min(plans.values(), key=lambda s: s.objective.key())
    searched = None
    if solver == "cpsat" and problem.tasks:
        # OR-Tools loads only when the search runs.
        from .cpsat import solve_cpsat

        searched = solve_cpsat(
            problem,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            deterministic=deterministic,
            start=start,
            progress=lambda done: report("search", done),
        )
        report("search", 1.0)
    best = start
    if searched is not None:
        plans[searched.solver] = searched
        # The search's own answer on a tie: it was asked for, and may have proved optimality.
        if searched.objective.key() <= start.objective.key():
            best = searched
        else:
            best = replace(start, solver=f"cpsat>{start.solver}")
    elif start.solver in BASELINES:
        best = replace(start, solver=f"greedy>{start.solver}")
    seconds = time.perf_counter() - began
    best = replace(best, seconds=seconds)
    return Portfolio(best=best, plans=plans, seconds=seconds)
