"""The scheduling model: steps of active cases, staff and pools on a working-hour axis.

Time is an integer index of the firm's working hours from the plan's start (hour 0 is the
first working hour of the plan's first working day), so weekends, holidays and 调休 are
already outside the timeline; a worker's own absences and commitments are `blocked`
intervals. Tasks are not pre-emptive and a worker does one task at a time.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import DomainError, gettext_noop


class SchedulingError(DomainError):
    """The problem cannot be scheduled as given (a step nobody may do, a cycle, ...)."""

    code = "scheduling_error"


@dataclass(frozen=True)
class Task:
    """One step of one case."""

    id: str
    case_id: str
    hours: int  # working hours, >= 0
    skill: str | None = None  # None: needs no firm worker (e.g. waiting on an office)
    predecessors: tuple[str, ...] = ()
    release: int = 0  # earliest start, e.g. materials ready
    due: int | None = None  # the case's deadline (hour index)
    weight: float = 1.0  # the case's priority weight
    demands: Mapping[str, int] = field(default_factory=dict)  # units of cumulative pools
    pinned_worker: str | None = None  # running or pinned: must stay with this worker
    pinned_start: int | None = None  # running: started at this hour (fixed)
    current_worker: str | None = None  # today's plan, for the stability objective
    current_start: int | None = None


@dataclass(frozen=True)
class Worker:
    id: str
    skills: frozenset[str]
    blocked: tuple[tuple[int, int], ...] = ()  # half-open [start, end) hours unavailable


@dataclass(frozen=True)
class Problem:
    tasks: tuple[Task, ...]
    workers: tuple[Worker, ...] = ()
    pools: Mapping[str, int] = field(default_factory=dict)  # cumulative capacities (RCPSP)
    horizon: int | None = None  # the plan's window; solvers may place work beyond it

    @cached_property
    def skilled(self) -> Mapping[str, tuple[Worker, ...]]:
        """The workers holding each skill, in input order: an index built once per problem, so
        finding who may do a step is not a scan of every worker."""
        index: dict[str, list[Worker]] = defaultdict(list)
        for w in self.workers:
            for skill in w.skills:
                index[skill].append(w)
        return {skill: tuple(ws) for skill, ws in index.items()}

    @cached_property
    def workers_by_id(self) -> Mapping[str, tuple[Worker, ...]]:
        """The workers of each id, in input order (one, unless an id repeats)."""
        index: dict[str, list[Worker]] = defaultdict(list)
        for w in self.workers:
            index[w.id].append(w)
        return {wid: tuple(ws) for wid, ws in index.items()}


@dataclass(frozen=True)
class Placement:
    task_id: str
    start: int
    end: int
    worker_id: str | None  # None for tasks with skill None


@dataclass(frozen=True)
class Objective:
    weighted_tardiness: float
    makespan: int
    changes: int  # tasks moved to another worker or start vs current_*

    def key(self) -> tuple[float, int, int]:
        """Lexicographic order: tardiness first, then makespan, then changes."""
        return (round(self.weighted_tardiness, 6), self.makespan, self.changes)


@dataclass(frozen=True)
class Schedule:
    placements: Mapping[str, Placement]  # by task id
    objective: Objective
    solver: str  # "greedy:min_slack", "cpsat", "fifo", "edf", ...
    optimal: bool
    seconds: float


@dataclass(frozen=True)
class Violation:
    task_id: str | None
    kind: str  # precedence, capacity, calendar, skill, pinned, release, missing
    detail: str


def case_due(problem: Problem) -> dict[str, int | None]:
    """The deadline of each case: the earliest `due` any of its tasks carries."""
    dues: dict[str, int | None] = {}
    for t in problem.tasks:
        old = dues.get(t.case_id)
        if t.due is None:
            dues.setdefault(t.case_id, None)
        else:
            dues[t.case_id] = t.due if old is None else min(old, t.due)
    return dues


def case_weight(problem: Problem) -> dict[str, float]:
    """The priority weight of each case: the largest its tasks carry."""
    weights: dict[str, float] = {}
    for t in problem.tasks:
        weights[t.case_id] = max(weights.get(t.case_id, t.weight), t.weight)
    return weights


def case_ends(problem: Problem, placements: Mapping[str, Placement]) -> dict[str, int]:
    ends: dict[str, int] = {}
    for t in problem.tasks:
        p = placements.get(t.id)
        if p is not None:
            ends[t.case_id] = max(ends.get(t.case_id, p.end), p.end)
    return ends


def case_tardiness(problem: Problem, schedule: Schedule) -> dict[str, int]:
    """Hours late per case (0 when on time): last end of the case's tasks minus its due."""
    ends = case_ends(problem, schedule.placements)
    return {
        case: (max(0, ends.get(case, 0) - due) if due is not None else 0)
        for case, due in case_due(problem).items()
    }


def under_way(task: Task) -> bool:
    """A step already under way with its person: a fact, not a choice. It keeps its worker and
    start even where it overlaps another step of theirs under way or their blocked hours (a
    specialist who started a second filing while the first waits on an office); everything
    not yet begun is planned around it."""
    return task.pinned_worker is not None and task.pinned_start is not None and task.hours > 0


def is_change(task: Task, placement: Placement) -> bool:
    moved = task.current_worker is not None and placement.worker_id != task.current_worker
    shifted = task.current_start is not None and placement.start != task.current_start
    return moved or shifted


def evaluate(problem: Problem, placements: Mapping[str, Placement]) -> Objective:
    dues, weights = case_due(problem), case_weight(problem)
    ends = case_ends(problem, placements)
    tardiness = sum(
        weights[c] * max(0, ends.get(c, 0) - d) for c, d in dues.items() if d is not None
    )
    makespan = max((p.end for p in placements.values()), default=0)
    changes = sum(1 for t in problem.tasks if t.id in placements and is_change(t, placements[t.id]))
    return Objective(float(tardiness), makespan, changes)


def validate(problem: Problem) -> dict[str, Task]:
    """Refuse a problem no solver can schedule; return the tasks by id."""
    tasks: dict[str, Task] = {}
    for t in problem.tasks:
        if t.id in tasks:
            raise SchedulingError(gettext_noop("步骤 %(task)s 重复。"), params={"task": t.id})
        if t.hours < 0:
            raise SchedulingError(gettext_noop("步骤 %(task)s 的时长为负。"), params={"task": t.id})
        tasks[t.id] = t
    workers = {w.id: w for w in problem.workers}
    for t in problem.tasks:
        for p in t.predecessors:
            if p not in tasks:
                raise SchedulingError(
                    gettext_noop("步骤 %(task)s 的前置步骤 %(pred)s 不在计划中。"),
                    params={"task": t.id, "pred": p},
                )
        for pool, units in t.demands.items():
            if units > problem.pools.get(pool, 0):
                raise SchedulingError(
                    gettext_noop("步骤 %(task)s 需要的 %(pool)s 超出总量。"),
                    params={"task": t.id, "pool": pool},
                )
        if t.pinned_worker is not None and t.pinned_worker not in workers:
            raise SchedulingError(
                gettext_noop("步骤 %(task)s 指定的人员 %(worker)s 不在计划中。"),
                params={"task": t.id, "worker": t.pinned_worker},
            )
        if t.skill is not None and t.pinned_worker is None and not eligible(problem, t):
            raise SchedulingError(
                gettext_noop("没有人能做步骤 %(task)s（需要 %(skill)s）。"),
                params={"task": t.id, "skill": t.skill},
            )
    topological_order(problem)
    return tasks


def eligible(problem: Problem, task: Task) -> list[Worker]:
    """The workers who may do the task, in input order: the pinned one, else everyone with the
    skill (looked up in the problem's index, not scanned)."""
    if task.skill is None and task.pinned_worker is None:
        return []
    if task.pinned_worker is not None:
        return list(problem.workers_by_id.get(task.pinned_worker, ()))
    return list(problem.skilled.get(task.skill, ()))


def topological_order(problem: Problem) -> list[Task]:
    """Tasks in an order that respects precedence (stable: input order among the free)."""
    index = {t.id: i for i, t in enumerate(problem.tasks)}
    indegree = {t.id: len(set(t.predecessors)) for t in problem.tasks}
    successors: dict[str, list[str]] = {t.id: [] for t in problem.tasks}
    for t in problem.tasks:
        for p in set(t.predecessors):
            successors[p].append(t.id)
    ready = [index[t] for t, n in indegree.items() if n == 0]
    heapq.heapify(ready)
    order: list[Task] = []
    while ready:
        task = problem.tasks[heapq.heappop(ready)]
        order.append(task)
        for s in successors[task.id]:
            indegree[s] -= 1
            if indegree[s] == 0:
                heapq.heappush(ready, index[s])
    if len(order) != len(problem.tasks):
        raise SchedulingError(gettext_noop("步骤之间的先后关系有环。"))
    return order


def successors_of(problem: Problem) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {t.id: [] for t in problem.tasks}
    for t in problem.tasks:
        for p in set(t.predecessors):
            succ[p].append(t.id)
    return succ


def critical_path(problem: Problem) -> tuple[dict[str, int], dict[str, int]]:
    """Earliest start and latest finish of every task, ignoring workers and pools.

    Latest finish is measured against each case's due date where there is one, else
    against the longest path of the whole problem, so it orders tasks by urgency.
    """
    order = topological_order(problem)
    by_id = {t.id: t for t in problem.tasks}
    es: dict[str, int] = {}
    for t in order:
        start = t.pinned_start if t.pinned_start is not None else t.release
        es[t.id] = max([start] + [es[p] + by_id[p].hours for p in t.predecessors])
    bound = max((es[t.id] + t.hours for t in order), default=0)
    dues = case_due(problem)
    succ = successors_of(problem)
    lf: dict[str, int] = {}
    for t in reversed(order):
        due = dues[t.case_id]
        limit = bound if due is None else due
        lf[t.id] = min([limit] + [lf[s] - by_id[s].hours for s in succ[t.id]])
    return es, lf


def critical_path_bound(problem: Problem) -> int:
    """The longest path through releases and precedence: a lower bound on the makespan."""
    es, _ = critical_path(problem)
    return max((es[t.id] + t.hours for t in problem.tasks), default=0)
