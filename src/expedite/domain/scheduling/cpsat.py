"""OR-Tools CP-SAT: the exact model, warm-started from the greedy schedule.

Each task is an interval; a task that needs a worker gets one optional interval per
eligible worker (exactly one present). Per worker a NoOverlap holds those intervals and
the worker's blocked hours as fixed intervals; pools are cumulative constraints. The
objective is lexicographic: weighted tardiness is minimised first; with it capped at the
best value found, makespan and then changes against today's plan (makespan × (n+1) +
changes) are minimised second. Deterministic for a seed: one search worker, and the limit
is CP-SAT's deterministic time (work done, not seconds elapsed), with a wall-clock backstop.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable

from .greedy import best_greedy
from .model import (
    Placement,
    Problem,
    Schedule,
    case_due,
    case_ends,
    case_weight,
    eligible,
    evaluate,
    is_change,
    successors_of,
    under_way,
    validate,
)

# Deterministic time is CP-SAT's own measure of work done, so a busy machine takes longer
# in wall-clock terms (up to 10x measured on two shared cores under heavy load). The
# wall-clock backstop only bites on a machine slower than that; when it does, the result
# is not reproducible.
WALL_BACKSTOP = 10.0
WALL_BACKSTOP_MIN = 30.0


def backstop(limit: float) -> float:
    """Wall-clock seconds after which a deterministic-time search is cut off anyway."""
    return limit * WALL_BACKSTOP + WALL_BACKSTOP_MIN


LNS_TASKS = 400
LNS_CHOICES = 3000


def _weight_scale(weights) -> int:
    for scale in (1, 10, 100):
        if all(abs(w * scale - round(w * scale)) < 1e-9 for w in weights):
            return scale
    return 1000


class _Model:
    """The CP-SAT model of the tasks in `free` (default: all); every other task stays where
    `fixed` puts it and only bounds the free ones (precedence, its worker, pools, its case's
    end), so the same code builds the whole model and a large-neighbourhood subproblem."""

    def __init__(
        self,
        problem: Problem,
        horizon: int,
        free: set[str] | None = None,
        fixed: dict[str, Placement] | None = None,
    ) -> None:
        # OR-Tools loads only when the solver runs.
        from ortools.sat.python import cp_model

        self.problem, self.cp = problem, cp_model
        fixed = fixed or {}
        free = {t.id for t in problem.tasks} if free is None else free
        self.free, self.fixed = free, {k: p for k, p in fixed.items() if k not in free}
        m = self.m = cp_model.CpModel()
        self.start, self.end, self.assign = {}, {}, {}
        self.late, self.same, self.changed = {}, {}, {}
        by_id = {t.id: t for t in problem.tasks}
        succ = successors_of(problem)
        machine = defaultdict(list)
        facts: dict[str, list[tuple[int, int]]] = defaultdict(list)
        pooled = defaultdict(list)
        moving: set[str] = set()  # pools some free task uses
        for t in problem.tasks:
            if t.id not in free:
                continue
            if t.pinned_start is not None:
                lo = hi = t.pinned_start
            else:
                lo = max([t.release] + [self.fixed[p].end for p in t.predecessors if p not in free])
                hi = min([horizon] + [self.fixed[q].start for q in succ[t.id] if q not in free])
                hi = max(lo, hi - t.hours)
            s = m.new_int_var(lo, hi, f"s_{t.id}")
            e = m.new_int_var(lo + t.hours, hi + t.hours, f"e_{t.id}")
            self.start[t.id], self.end[t.id] = s, e
            interval = m.new_interval_var(s, t.hours, e, f"i_{t.id}")
            options = eligible(problem, t)
            if under_way(t):
                # A fact: it holds its person's hours like an absence, and may overlap
                # another step of theirs under way (merged below), which NoOverlap would refuse.
                self.assign[t.id] = {t.pinned_worker: None}
                facts[t.pinned_worker].append((t.pinned_start, t.pinned_start + t.hours))
            elif len(options) == 1:
                self.assign[t.id] = {options[0].id: None}  # always this worker
                if t.hours:
                    machine[options[0].id].append(interval)
            elif options:
                lits = {}
                for w in options:
                    x = m.new_bool_var(f"x_{t.id}_{w.id}")
                    lits[w.id] = x
                    if t.hours:
                        machine[w.id].append(
                            m.new_optional_interval_var(s, t.hours, e, x, f"o_{t.id}_{w.id}")
                        )
                m.add_exactly_one(lits.values())
                self.assign[t.id] = lits
            if t.hours:
                for pool, units in t.demands.items():
                    if units > 0:
                        pooled[pool].append((interval, units))
                        moving.add(pool)
        for t in problem.tasks:  # after the loop: a predecessor may be listed later
            if t.id in free:
                for p in set(t.predecessors):
                    if p in free:
                        m.add(self.start[t.id] >= self.end[p])
        busy = facts
        for w in problem.workers:
            busy[w.id] += [(a, b) for a, b in w.blocked if b > a]
        for tid, p in self.fixed.items():
            if p.worker_id is not None and p.end > p.start:
                busy[p.worker_id].append((p.start, p.end))
            for pool, units in by_id[tid].demands.items():
                if units > 0 and p.end > p.start:
                    span = m.new_fixed_size_interval_var(p.start, p.end - p.start, "")
                    pooled[pool].append((span, units))
        for w in problem.workers:
            if machine[w.id]:
                fixed_spans = [
                    m.new_fixed_size_interval_var(a, b - a, "") for a, b in _union(busy[w.id])
                ]
                m.add_no_overlap(machine[w.id] + fixed_spans)
        for pool, items in pooled.items():
            if pool in moving:
                m.add_cumulative([i for i, _ in items], [u for _, u in items], problem.pools[pool])
        floor = max((p.end for p in self.fixed.values()), default=0)
        self.makespan = m.new_int_var(floor, max(floor, horizon), "makespan")
        m.add_max_equality(self.makespan, [*self.end.values(), floor])
        self._tardiness(horizon)
        self._changes()

    def _tardiness(self, horizon: int) -> None:
        problem, m = self.problem, self.m
        dues, weights = case_due(problem), case_weight(problem)
        self.scale = _weight_scale(weights.values())
        succ = successors_of(problem)
        by_id = {t.id: t for t in problem.tasks}
        fixed_end: dict[str, int] = {}
        for tid, p in self.fixed.items():
            case = by_id[tid].case_id
            fixed_end[case] = max(fixed_end.get(case, p.end), p.end)
        last: dict[str, list] = defaultdict(list)
        for t in problem.tasks:
            if t.id in self.free and all(by_id[s].case_id != t.case_id for s in succ[t.id]):
                last[t.case_id].append(self.end[t.id])
        terms = []
        for case, due in dues.items():
            if due is None or case not in last:
                continue  # no deadline, or nothing of it moves: a constant
            floor = max(0, fixed_end.get(case, 0) - due)
            late = m.new_int_var(floor, max(floor, horizon - due), f"late_{case}")
            self.late[case] = (late, due)
            for e in last[case]:
                m.add(late >= e - due)
            terms.append(round(weights[case] * self.scale) * late)
        self.tardiness = sum(terms) if terms else None

    def _changes(self) -> None:
        m, flags = self.m, []
        for t in self.problem.tasks:
            if t.id not in self.free:
                continue
            reasons, always = [], False
            if t.current_worker is not None:
                lits = self.assign.get(t.id, {})
                if t.current_worker not in lits:
                    always = True  # today's worker may not do it any more
                elif lits[t.current_worker] is not None:
                    reasons.append(~lits[t.current_worker])
            if t.current_start is not None:
                same = m.new_bool_var(f"same_{t.id}")
                m.add(self.start[t.id] == t.current_start).only_enforce_if(same)
                m.add(self.start[t.id] != t.current_start).only_enforce_if(~same)
                reasons.append(~same)
                self.same[t.id] = same
            if always:
                flags.append(1)
            elif reasons:
                c = m.new_bool_var(f"chg_{t.id}")
                m.add_bool_or(reasons).only_enforce_if(c)
                m.add_bool_and([~r for r in reasons]).only_enforce_if(~c)
                flags.append(c)
                self.changed[t.id] = c
        self.changes = sum(flags) if flags else 0

    def hint(self, placements) -> None:
        """Hint every variable: CP-SAT completes a partial hint slowly on big models."""
        m = self.m
        m.clear_hints()
        m.add_hint(self.makespan, max((p.end for p in placements.values()), default=0))
        ends = case_ends(self.problem, placements)
        for case, (late, due) in self.late.items():
            m.add_hint(late, max(0, ends.get(case, 0) - due))
        by_id = {t.id: t for t in self.problem.tasks}
        for tid, same in self.same.items():
            m.add_hint(same, placements[tid].start == by_id[tid].current_start)
        for tid, changed in self.changed.items():
            m.add_hint(changed, is_change(by_id[tid], placements[tid]))
        for tid, p in placements.items():
            if tid not in self.free:
                continue
            m.add_hint(self.start[tid], p.start)
            m.add_hint(self.end[tid], p.end)
            for wid, x in self.assign.get(tid, {}).items():
                if x is not None:
                    m.add_hint(x, wid == p.worker_id)

    def placements(self, solver) -> dict[str, Placement]:
        out = dict(self.fixed)
        for t in self.problem.tasks:
            if t.id not in self.free:
                continue
            s = solver.value(self.start[t.id])
            worker = None
            for wid, x in self.assign.get(t.id, {}).items():
                if x is None or solver.boolean_value(x):
                    worker = wid
            out[t.id] = Placement(t.id, s, s + t.hours, worker)
        return out


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open spans merged where they overlap or touch (facts may overlap each other and
    absences; fixed intervals in one NoOverlap may not)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _run(
    model: _Model,
    limit: float,
    seed: int,
    workers: int,
    *,
    deterministic: bool,
    conflicts: int | None = None,
):
    cp = model.cp
    solver = cp.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # The LP relaxation costs more than it prunes on these models (measured on PSPLIB j30).
    solver.parameters.linearization_level = 0
    if deterministic:
        # Several threads only stay reproducible when they take turns in fixed batches.
        solver.parameters.interleave_search = workers > 1
        solver.parameters.max_deterministic_time = max(limit, 0.01)
        solver.parameters.max_time_in_seconds = backstop(limit)
    else:
        solver.parameters.max_time_in_seconds = max(limit, 0.01)
    if conflicts:
        solver.parameters.max_number_of_conflicts = conflicts
    status = solver.solve(model.m)
    used = solver.deterministic_time if deterministic else solver.wall_time
    return solver, status in (cp.OPTIMAL, cp.FEASIBLE), status == cp.OPTIMAL, used


def solve_cpsat(
    problem: Problem,
    *,
    time_limit: float = 1.0,
    seed: int = 0,
    workers: int = 1,
    deterministic: bool = True,
    start: Schedule | None = None,
    progress: Callable[[float], None] | None = None,
) -> Schedule:
    """Solve within `time_limit`: CP-SAT's deterministic time by default (the same seed
    gives the same schedule however busy the machine, short of the wall-clock backstop),
    wall-clock seconds otherwise. Starts from `start` (a valid schedule; default the best
    greedy one, computed first and counted in a wall-clock limit) and is never worse than
    it. `progress(share)` is told how much of the budget is spent, now and then."""
    validate(problem)
    began = time.perf_counter()  # a `start` given was made before: not charged to the search
    greedy = best_greedy(problem) if start is None else start
    placements = dict(greedy.placements)
    if not problem.tasks:
        return Schedule({}, evaluate(problem, {}), "cpsat", optimal=True, seconds=0.0)
    has_due = any(d is not None for d in case_due(problem).values())
    horizon = max(problem.horizon or 0, greedy.objective.makespan)
    if has_due:  # a later makespan may buy less tardiness
        horizon += math.ceil(greedy.objective.makespan / 4)
    if _too_big(problem):
        # OR-Tools loads only when the solver runs.
        from .lns import improve

        budget = time_limit if deterministic else time_limit - (time.perf_counter() - began)
        placements, _ = improve(
            problem,
            placements,
            horizon=horizon,
            budget=max(budget, 0.05),
            seed=seed,
            deterministic=deterministic,
            run=_run,
            wall_limit=backstop(budget) if deterministic else budget,
            model_class=_Model,
            progress=progress,
        )
        return Schedule(
            placements=placements,
            objective=evaluate(problem, placements),
            solver="cpsat+lns",
            optimal=False,
            seconds=time.perf_counter() - began,
        )
    model = _Model(problem, horizon)
    model.hint(placements)
    budget = time_limit
    if not deterministic:
        budget = max(time_limit - (time.perf_counter() - began), 0.05)
    optimal = True
    run = {"seed": seed, "workers": workers, "deterministic": deterministic}
    if model.tardiness is not None:
        model.m.minimize(model.tardiness)
        solver, found, optimal, used = _run(model, budget / 2, **run)
        if not found:
            return _fallback(problem, greedy, began)
        placements = _better(problem, placements, model.placements(solver))
        model.m.add(model.tardiness <= round(solver.objective_value))
        model.hint(placements)
        budget -= min(budget / 2, used)
        if progress is not None:
            progress(0.5)
    if isinstance(model.changes, int):
        model.m.minimize(model.makespan)
    else:
        model.m.minimize(model.makespan * (len(problem.tasks) + 1) + model.changes)
    solver, found, second_optimal, _ = _run(model, budget, **run)
    if found:
        placements = _better(problem, placements, model.placements(solver))
    elif model.tardiness is None:
        return _fallback(problem, greedy, began)
    return Schedule(
        placements=placements,
        objective=evaluate(problem, placements),
        solver="cpsat",
        optimal=optimal and found and second_optimal,
        seconds=time.perf_counter() - began,
    )


def _better(problem: Problem, old: dict, new: dict) -> dict:
    """The new placements unless they are lexicographically worse (a phase that ran out of
    time may trade the makespan of its hint for nothing)."""
    return new if evaluate(problem, new).key() <= evaluate(problem, old).key() else old


def _too_big(problem: Problem) -> bool:
    """Whole-model CP-SAT stalls beyond a few thousand worker choices; then search locally."""
    choices = sum(len(eligible(problem, t)) for t in problem.tasks)
    return len(problem.tasks) > LNS_TASKS or choices > LNS_CHOICES


def _fallback(problem: Problem, greedy: Schedule, began: float) -> Schedule:
    """CP-SAT found nothing in time (or the pins contradict): the greedy plan stands."""
    return Schedule(
        placements=greedy.placements,
        objective=greedy.objective,
        solver=f"cpsat>{greedy.solver}",
        optimal=False,
        seconds=time.perf_counter() - began,
    )
