"""Who does which step when: the scheduling model, its checker and its solvers.

`solve` dispatches to the greedy schedule-generation scheme (instant) or to OR-Tools
CP-SAT (imported only when asked for); `check` validates any schedule against its problem.
"""

from __future__ import annotations

from .check import check
from .model import (
    Objective,
    Placement,
    Problem,
    Schedule,
    SchedulingError,
    Task,
    Violation,
    Worker,
    case_tardiness,
    evaluate,
)
from .portfolio import Portfolio, solve_best

SOLVERS = ("greedy", "cpsat", "fifo", "edf")

__all__ = [
    "SOLVERS",
    "Objective",
    "Placement",
    "Portfolio",
    "Problem",
    "Schedule",
    "SchedulingError",
    "Task",
    "Violation",
    "Worker",
    "case_tardiness",
    "check",
    "evaluate",
    "solve",
    "solve_best",
]


def solve(
    problem: Problem,
    *,
    solver: str = "greedy",
    time_limit: float = 1.0,
    seed: int = 0,
    rule: str = "min_slack",
    workers: int = 1,
    deterministic: bool = True,
) -> Schedule:
    """Schedule the problem. solver: greedy, cpsat, fifo or edf; rule: min_slack, lft or
    wedf (greedy only; "best" tries all three). CP-SAT's limit is deterministic time unless
    `deterministic` is False (then wall-clock seconds, and `workers` threads may help)."""
    # Each solver loads only when it runs (OR-Tools is heavy).
    from .greedy import best_greedy, solve_greedy

    if solver == "greedy":
        return best_greedy(problem) if rule == "best" else solve_greedy(problem, rule)
    if solver in ("fifo", "edf"):
        return solve_greedy(problem, solver)
    if solver == "cpsat":
        # Each solver loads only when it runs (OR-Tools is heavy).
        from .cpsat import solve_cpsat

        return solve_cpsat(
            problem,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            deterministic=deterministic,
        )
    # Each solver loads only when it runs (OR-Tools is heavy).
    from .model import SchedulingError, gettext_noop

    raise SchedulingError(gettext_noop("未知的求解器 %(solver)s。"), params={"solver": solver})
