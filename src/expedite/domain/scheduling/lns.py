"""Large-neighbourhood search around CP-SAT for problems too big to solve whole.

Each round frees a few cases (a late one and those competing with it for the same people
at the same time) or a window of time, keeps everything else where it is, and lets CP-SAT
re-place the freed steps with the lexicographic objective folded into one weighted sum.
A round's result is kept when it is no worse. Rounds are chosen by a seeded random
generator and charged in CP-SAT's deterministic time, so a seed gives one schedule.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

from .model import (
    Placement,
    Problem,
    case_due,
    case_ends,
    case_weight,
    critical_path_bound,
    eligible,
    evaluate,
)

FREE_TASKS = 30  # steps freed per round: small enough to solve in a fraction of a second
ROUND_LIMIT = 0.2  # deterministic seconds per round at most
ROUND_CONFLICTS = 1000  # and conflicts: deterministic time undercounts NoOverlap propagation
ROUND_CHARGE = 0.05  # charged per round on top of CP-SAT's own deterministic time


def improve(
    problem: Problem,
    placements: dict[str, Placement],
    *,
    horizon: int,
    budget: float,
    seed: int,
    deterministic: bool,
    run,
    model_class,
    wall_limit: float,
    progress=None,
) -> tuple[dict[str, Placement], int]:
    """Improve `placements` for `budget` seconds; returns them and the rounds run."""
    rnd = random.Random(seed)  # noqa: S311 - a seeded search, not a secret
    began = time.perf_counter()
    best = dict(placements)
    best_key = evaluate(problem, best).key()
    dues, weights = case_due(problem), case_weight(problem)
    by_case: dict[str, list[str]] = defaultdict(list)
    for t in problem.tasks:
        by_case[t.case_id].append(t.id)
    people: dict[tuple, frozenset[str]] = {}  # shared per skill: thousands of steps, one set
    for t in problem.tasks:
        if (t.skill, t.pinned_worker) not in people:
            people[t.skill, t.pinned_worker] = frozenset(w.id for w in eligible(problem, t))
    skills_of = {t.id: people[t.skill, t.pinned_worker] for t in problem.tasks}
    movable = [t.id for t in problem.tasks if t.pinned_start is None]
    if not movable:
        return best, 0
    floor = (0.0, critical_path_bound(problem), 0)  # nothing can beat this
    used, rounds = 0.0, 0
    while used < budget and time.perf_counter() - began < wall_limit and best_key > floor:
        rounds += 1
        ends = case_ends(problem, best)
        late = [
            (c, weights[c] * (ends.get(c, 0) - d))
            for c, d in dues.items()
            if d is not None and ends.get(c, 0) > d
        ]
        pick = rnd.random()
        if late and pick < 0.7:
            free = _around_case(rnd, problem, best, late, by_case, skills_of)
        else:
            free = _window(rnd, best, movable)
        free = {tid for tid in free if tid in skills_of}
        if not free:
            used += ROUND_CHARGE
            continue
        model = model_class(problem, horizon, free=free, fixed=best)
        model.hint(best)
        n = len(free) + 1
        span = horizon + 1
        objective = model.makespan * n + model.changes
        if model.tardiness is not None:
            objective = model.tardiness * (span * n + n) + objective
        model.m.minimize(objective)
        limit = min(ROUND_LIMIT, max(budget - used, 0.01))
        solver, found, _, spent = run(
            model,
            limit,
            seed=rnd.randrange(1 << 30),
            workers=1,
            deterministic=deterministic,
            conflicts=ROUND_CONFLICTS if deterministic else None,
        )
        used += spent + (ROUND_CHARGE if deterministic else 0.0)
        if not found:
            continue
        candidate = model.placements(solver)
        key = evaluate(problem, candidate).key()
        if key <= best_key:
            best, best_key = candidate, key
        if progress is not None and rounds % 10 == 0:
            spent = used / budget if deterministic else (time.perf_counter() - began) / wall_limit
            progress(min(1.0, spent))
    return best, rounds


def _around_case(rnd, problem, placements, late, by_case, skills_of) -> set[str]:
    """A late case (heavier lateness more likely) and whole cases that hold the people it
    could use while it waits: freeing whole cases lets their steps move as a chain."""
    cases, costs = zip(*late, strict=True)
    case = rnd.choices(cases, weights=costs)[0]
    mine = by_case[case]
    people = set().union(*(skills_of[t] for t in mine))
    lo = min(placements[t].start for t in mine) - 16
    hi = max(placements[t].end for t in mine)
    case_of = {t.id: t.case_id for t in problem.tasks}
    weight = {t.case_id: t.weight for t in problem.tasks}
    rivals = sorted(
        {
            case_of[tid]
            for tid, p in placements.items()
            if p.worker_id in people and p.start < hi and p.end > lo
        }
        - {case}
    )
    rnd.shuffle(rivals)
    rivals.sort(key=lambda c: weight[c])  # lighter cases first: they can give way
    free = set(mine)
    for other in rivals:
        if len(free) + len(by_case[other]) > FREE_TASKS:
            continue
        free.update(by_case[other])
    return free


def _window(rnd, placements, movable) -> set[str]:
    """The steps that start in a stretch of time around a random one."""
    pivot = placements[rnd.choice(movable)].start
    ordered = sorted(movable, key=lambda t: (abs(placements[t].start - pivot), t))
    return set(ordered[:FREE_TASKS])
