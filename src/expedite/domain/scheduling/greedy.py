"""Serial schedule-generation scheme: take the most urgent step whose predecessors are
placed, put it at the earliest hour some eligible worker and every pool can take it.

The rules differ only in what "most urgent" means: min_slack, lft (latest finish time) and
wedf (weighted earliest due date) use the critical-path bounds of each step; fifo (arrival
order) and edf (the case's deadline) are the plain list-scheduling baselines.
"""

from __future__ import annotations

import heapq
import math
import time
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Callable

from .model import (
    Placement,
    Problem,
    Schedule,
    SchedulingError,
    Task,
    Worker,
    case_due,
    case_weight,
    critical_path,
    eligible,
    evaluate,
    gettext_noop,
    successors_of,
    validate,
)

RULES = ("min_slack", "lft", "wedf")
BASELINES = ("fifo", "edf")


class _Timeline:
    """A worker's busy hours as sorted, disjoint half-open intervals."""

    __slots__ = ("ends", "starts")

    def __init__(self, blocked=()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for a, b in blocked:
            self.add(a, b)

    def earliest(self, t: int, hours: int) -> int:
        if hours == 0:
            return t
        starts, ends = self.starts, self.ends
        i = bisect_right(ends, t)
        while i < len(starts) and starts[i] < t + hours:
            t = max(t, ends[i])
            i += 1
        return t

    def add(self, a: int, b: int) -> None:
        if b <= a:
            return
        i = bisect_left(self.ends, a)  # first interval ending at or after a
        j = i
        while j < len(self.starts) and self.starts[j] <= b:
            a, b = min(a, self.starts[j]), max(b, self.ends[j])
            j += 1
        self.starts[i:j] = [a]
        self.ends[i:j] = [b]


class _Pools:
    def __init__(self, capacity) -> None:
        self.capacity = dict(capacity)
        self.used: dict[str, defaultdict[int, int]] = {p: defaultdict(int) for p in capacity}

    def earliest(self, task: Task, t: int) -> int:
        demands = [(p, u) for p, u in task.demands.items() if u > 0]
        if not demands or task.hours == 0:
            return t
        hour = t
        while hour < t + task.hours:
            if any(self.used[p][hour] + u > self.capacity[p] for p, u in demands):
                t = hour = hour + 1
            else:
                hour += 1
        return t

    def add(self, task: Task, start: int) -> None:
        for p, u in task.demands.items():
            for hour in range(start, start + task.hours):
                self.used[p][hour] += u


def priority(problem: Problem, rule: str) -> Callable[[Task], tuple]:
    """The sort key of each task under the rule; smaller goes first."""
    order = {t.id: i for i, t in enumerate(problem.tasks)}
    if rule in BASELINES:
        arrival: dict[str, tuple[int, int]] = {}
        for i, t in enumerate(problem.tasks):
            r = t.pinned_start if t.pinned_start is not None else t.release
            first = arrival.get(t.case_id, (r, i))
            arrival[t.case_id] = (min(first[0], r), first[1])
        if rule == "fifo":
            return lambda t: (arrival[t.case_id], order[t.id])
        dues = case_due(problem)
        return lambda t: (
            math.inf if dues[t.case_id] is None else dues[t.case_id],
            arrival[t.case_id],
            order[t.id],
        )
    _, lf = critical_path(problem)
    if rule == "min_slack":
        # Slack at the moment of choice is latest start minus the current time, the same
        # time for every candidate, so the order is by latest start. (Total float, which
        # subtracts the critical-path earliest start instead, favours steps that cannot
        # start yet and measured far worse on both PSPLIB and the firm load.)
        return lambda t: (lf[t.id] - t.hours, lf[t.id], order[t.id])
    if rule == "lft":
        return lambda t: (lf[t.id], order[t.id])
    if rule == "wedf":
        weights = case_weight(problem)

        def wedf(t: Task) -> tuple:
            # Earlier deadlines first, a heavier case as if its deadline were nearer.
            slack = lf[t.id] + 1
            w = max(weights[t.case_id], 1e-9)
            return (slack / w if slack > 0 else slack * w, order[t.id])

        return wedf
    raise SchedulingError(gettext_noop("未知的排程规则 %(rule)s。"), params={"rule": rule})


class _Free:
    """Who of one skill's workers is free when: the time axis cut into runs over which the set
    of free workers (a bitmask) is constant. Run boundaries are the hours at which someone's
    booking or absence begins or ends, so finding the earliest hour anyone is free for a step
    walks hours of the timeline, not workers."""

    __slots__ = ("bounds", "masks")

    def __init__(self, everyone: int) -> None:
        self.bounds: list[int] = [-math.inf]  # run i is [bounds[i], bounds[i + 1])
        self.masks: list[int] = [everyone]

    def _split(self, x: int) -> int:
        """The index of the run starting at x (cutting the run that contains x)."""
        i = bisect_right(self.bounds, x) - 1
        if self.bounds[i] != x:
            i += 1
            self.bounds.insert(i, x)
            self.masks.insert(i, self.masks[i - 1])
        return i

    def book(self, bit: int, start: int, end: int) -> None:
        if end <= start:
            return
        i, j = self._split(start), self._split(end)
        masks = self.masks
        for k in range(i, j):
            masks[k] &= ~bit
        for k in (j, i):  # merge equal neighbours back (right first: i stays valid)
            if 0 < k < len(masks) and masks[k] == masks[k - 1]:
                del masks[k], self.bounds[k]

    def first(self, t: int, hours: int, everyone: int) -> tuple[int, int]:
        """The earliest start s >= t at which someone is free for `hours`, and the mask of
        everyone free then (each of whom could start no earlier)."""
        if hours == 0:
            return t, everyone
        bounds, masks = self.bounds, self.masks
        n = len(bounds)
        i = bisect_right(bounds, t) - 1
        s = t
        while True:
            free, k = masks[i], i + 1
            while free and k < n and bounds[k] < s + hours:
                free &= masks[k]
                k += 1
            if free:
                return s, free
            i += 1  # nobody from s: the next candidate is where the next run begins
            s = bounds[i]


class _Staff:
    """Every worker's timeline and load; per skill who is free when (`_Free`) and the workers
    in the order greedy prefers them on a tie (fewest skills, then least loaded, then input
    order), kept sorted as loads change. So the best worker for a step is found without trying
    every worker of its skill."""

    def __init__(self, problem: Problem) -> None:
        self.timelines = {w.id: _Timeline(w.blocked) for w in problem.workers}
        self.load = dict.fromkeys(self.timelines, 0)
        self.breadth = {w.id: len(w.skills) for w in problem.workers}
        self.rank: dict[str, int] = {}
        self.skills: dict[str, set[str]] = defaultdict(set)
        for i, w in enumerate(problem.workers):
            self.rank.setdefault(w.id, i)
            self.skills[w.id] |= w.skills
        self.queues: dict[str, list[tuple[int, int, int, str]]] = {}
        self.members: dict[str, list[str]] = {}  # per skill, worker ids by bit position
        self.bit: dict[str, dict[str, int]] = {}  # per skill, worker id → its bit
        self.free: dict[str, _Free] = {}
        for skill, ws in problem.skilled.items():
            ids = list(dict.fromkeys(w.id for w in ws))
            self.members[skill] = ids
            self.bit[skill] = {wid: 1 << p for p, wid in enumerate(ids)}
            self.queues[skill] = sorted(self._entry(wid) for wid in ids)
            self.free[skill] = _Free((1 << len(ids)) - 1)
        for w in problem.workers:
            for a, b in w.blocked:
                self._mark(w.id, a, b)

    def _entry(self, wid: str) -> tuple[int, int, int, str]:
        return (self.breadth[wid], self.load[wid], self.rank[wid], wid)

    def _mark(self, wid: str, start: int, end: int) -> None:
        for skill in self.skills[wid]:
            self.free[skill].book(self.bit[skill][wid], start, end)

    def book(self, wid: str, start: int, hours: int) -> None:
        self.timelines[wid].add(start, start + hours)
        if not hours:
            return
        self._mark(wid, start, start + hours)
        old = self._entry(wid)
        self.load[wid] += hours
        new = self._entry(wid)
        for skill in self.skills[wid]:
            queue = self.queues[skill]
            del queue[bisect_left(queue, old)]
            insort(queue, new)

    def best(self, task: Task, t: int) -> tuple[int, str]:
        """The earliest start from t of an eligible worker and who: on a tie today's worker,
        then the least versatile, then the least loaded, then the first listed."""
        if task.pinned_worker is not None:
            return self.timelines[task.pinned_worker].earliest(t, task.hours), task.pinned_worker
        skill, current = task.skill, task.current_worker
        bits = self.bit[skill]
        everyone = (1 << len(bits)) - 1
        start, free = self.free[skill].first(t, task.hours, everyone)
        if current in bits and free & bits[current]:
            return start, current
        if free.bit_count() <= ENUMERATE:
            members, found = self.members[skill], []
            while free:
                low = free & -free
                found.append(self._entry(members[low.bit_length() - 1]))
                free ^= low
            return start, min(found)[3]
        return start, next(e[3] for e in self.queues[skill] if free & bits[e[3]])


ENUMERATE = 16  # free workers at most to compare directly; more: walk the preference order


def sgs(problem: Problem, key: Callable[[Task], tuple]) -> dict[str, Placement]:
    """Place the tasks one by one in priority order; returns the placements by task id."""
    by_id = validate(problem)
    staff = _Staff(problem)
    pools = _Pools(problem.pools)
    placed: dict[str, Placement] = {}

    # Steps already running hold their hours before anything else is placed.
    for t in problem.tasks:
        if t.pinned_start is not None:
            worker = _pinned_worker(problem, t, staff)
            placed[t.id] = Placement(t.id, t.pinned_start, t.pinned_start + t.hours, worker)
            if worker is not None:
                staff.book(worker, t.pinned_start, t.hours)
            pools.add(t, t.pinned_start)

    succ = successors_of(problem)
    waiting = {t.id: len(set(t.predecessors)) for t in problem.tasks}
    heap = [(key(t), t.id) for t in problem.tasks if waiting[t.id] == 0]
    heapq.heapify(heap)
    while heap:
        _, tid = heapq.heappop(heap)
        t = by_id[tid]
        if tid not in placed:
            ready = max([t.release] + [placed[p].end for p in t.predecessors])
            start, worker = _fit(t, ready, staff, pools)
            placed[tid] = Placement(tid, start, start + t.hours, worker)
            if worker is not None:
                staff.book(worker, start, t.hours)
            pools.add(t, start)
        for s in succ[tid]:
            waiting[s] -= 1
            if waiting[s] == 0:
                heapq.heappush(heap, (key(by_id[s]), s))
    return placed


def _pinned_worker(problem, task, staff: _Staff) -> str | None:
    if task.pinned_worker is not None or task.skill is None:
        return task.pinned_worker
    options = eligible(problem, task)
    free = [
        w.id
        for w in options
        if staff.timelines[w.id].earliest(task.pinned_start, task.hours) == task.pinned_start
    ]
    if task.current_worker in free:
        return task.current_worker
    return min(free or [w.id for w in options], key=lambda w: staff.load[w])


def _fit(task, ready, staff: _Staff, pools) -> tuple[int, str | None]:
    """The earliest start from `ready` at which an eligible worker and the pools are free."""
    t = ready
    while True:
        t = pools.earliest(task, t)
        if task.skill is None and task.pinned_worker is None:
            return t, None
        start, best = staff.best(task, t)
        if start == t or pools.earliest(task, start) == start:
            return start, best
        t = start


def mirror(problem: Problem, horizon: int) -> Problem:
    """The problem with time running backwards from `horizon` and precedence reversed."""
    succ = successors_of(problem)
    tasks = tuple(
        Task(
            id=t.id,
            case_id=t.case_id,
            hours=t.hours,
            skill=t.skill,
            predecessors=tuple(succ[t.id]),
            demands=t.demands,
            pinned_worker=t.pinned_worker,
            pinned_start=None if t.pinned_start is None else horizon - t.pinned_start - t.hours,
            current_worker=t.current_worker,
        )
        for t in problem.tasks
    )
    workers = tuple(
        Worker(w.id, w.skills, tuple((horizon - b, horizon - a) for a, b in w.blocked))
        for w in problem.workers
    )
    return Problem(tasks=tasks, workers=workers, pools=problem.pools)


def justify(problem: Problem, placements: dict[str, Placement]) -> dict[str, Placement]:
    """Double justification: shift every task as late as it can go, latest-ending first,
    then as early as it can go, earliest-starting first. Neither pass moves a task the
    wrong way (its old slot stays free), so the makespan never grows; it often shrinks."""
    horizon = max((p.end for p in placements.values()), default=0)
    back = sgs(
        mirror(problem, horizon),
        lambda t: (horizon - placements[t.id].end, -placements[t.id].start, t.id),
    )
    late = {k: horizon - p.end for k, p in back.items()}
    return sgs(problem, lambda t: (late[t.id], t.id))


def solve_greedy(problem: Problem, rule: str = "min_slack", *, improve: bool = True) -> Schedule:
    """One priority rule, then double justification when it improves the objective."""
    began = time.perf_counter()
    placements = sgs(problem, priority(problem, rule))
    if improve and rule not in BASELINES and problem.tasks:
        better = justify(problem, placements)
        if evaluate(problem, better).key() < evaluate(problem, placements).key():
            placements = better
    name = rule if rule in BASELINES else f"greedy:{rule}"
    return Schedule(
        placements=placements,
        objective=evaluate(problem, placements),
        solver=name,
        optimal=False,
        seconds=time.perf_counter() - began,
    )


def best_greedy(problem: Problem) -> Schedule:
    """The best of the three priority rules (by the lexicographic objective)."""
    began = time.perf_counter()
    runs = [solve_greedy(problem, rule) for rule in RULES]
    best = min(runs, key=lambda s: s.objective.key())
    return Schedule(
        placements=best.placements,
        objective=best.objective,
        solver=best.solver,
        optimal=False,
        seconds=time.perf_counter() - began,
    )
