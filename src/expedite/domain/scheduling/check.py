"""The validity checker every solver's output goes through."""

from __future__ import annotations

from collections import defaultdict

from .model import Placement, Problem, Schedule, Task, Violation, under_way


def check(problem: Problem, schedule: Schedule) -> list[Violation]:
    """Everything wrong with the schedule for this problem; [] when it is valid."""
    out: list[Violation] = []
    tasks = {t.id: t for t in problem.tasks}
    workers = {w.id: w for w in problem.workers}
    placements = schedule.placements
    for key, p in placements.items():
        if key not in tasks or p.task_id != key:
            out.append(
                Violation(key, "missing", f"placement {key!r} is for no task of the problem")
            )
    for t in problem.tasks:
        p = placements.get(t.id)
        if p is None:
            out.append(Violation(t.id, "missing", "not placed"))
            continue
        if p.end - p.start != t.hours:
            out.append(Violation(t.id, "duration", f"{p.start}-{p.end} is not {t.hours} h"))
        if t.pinned_start is not None and p.start != t.pinned_start:
            out.append(Violation(t.id, "pinned", f"starts {p.start}, pinned at {t.pinned_start}"))
        if t.pinned_worker is not None and p.worker_id != t.pinned_worker:
            out.append(Violation(t.id, "pinned", f"{p.worker_id} is not {t.pinned_worker}"))
        if t.pinned_start is None and p.start < t.release:
            out.append(Violation(t.id, "release", f"starts {p.start} before {t.release}"))
        for pred in t.predecessors:
            q = placements.get(pred)
            if q is not None and p.start < q.end:
                out.append(
                    Violation(t.id, "precedence", f"starts {p.start} before {pred} ends {q.end}")
                )
        out += _skill(t, p, workers)
    out += _workers(problem, schedule)
    out += _pools(problem, schedule)
    return out


def _skill(task, placement, workers) -> list[Violation]:
    wid = placement.worker_id
    if wid is None:
        if task.skill is not None:
            return [Violation(task.id, "skill", f"needs a worker with {task.skill}")]
        return []
    if wid not in workers:
        return [Violation(task.id, "skill", f"unknown worker {wid}")]
    if wid == task.pinned_worker:
        return []  # a manager's pin (or a running step) outranks the skill list
    if task.skill is None:
        return [Violation(task.id, "skill", f"needs no worker but has {wid}")]
    if task.skill is not None and task.skill not in workers[wid].skills:
        return [Violation(task.id, "skill", f"{wid} lacks {task.skill}")]
    return []


def _workers(problem: Problem, schedule: Schedule) -> list[Violation]:
    """One task at a time per worker, and nothing inside the worker's blocked hours. Steps
    under way (`under_way`: pinned worker and start) are facts: they may overlap each other
    and the blocked hours, but nothing else may overlap them."""
    out: list[Violation] = []
    busy = defaultdict(list)
    tasks = {t.id: t for t in problem.tasks}
    for p in schedule.placements.values():
        if p.worker_id is not None and p.end > p.start and p.task_id in tasks:
            busy[p.worker_id].append(p)
    for w in problem.workers:
        mine = sorted(busy.get(w.id, []), key=lambda p: (p.start, p.end, p.task_id))
        latest = latest_choice = None  # the earlier placement reaching furthest (of choices)
        for p in mine:
            fact = _fact(tasks[p.task_id], p)
            other = latest_choice if fact else latest
            if other is not None and p.start < other.end:
                out.append(
                    Violation(
                        p.task_id,
                        "capacity",
                        f"{w.id} is busy with {other.task_id} until {other.end}",
                    )
                )
            if latest is None or p.end > latest.end:
                latest = p
            if not fact and (latest_choice is None or p.end > latest_choice.end):
                latest_choice = p
            if fact:
                continue
            for a, b in w.blocked:
                if a < b and p.start < b and a < p.end:
                    out.append(Violation(p.task_id, "calendar", f"{w.id} is away {a}-{b}"))
    return out


def _fact(task: Task, placement: Placement) -> bool:
    """Placed as the step under way it is (elsewhere the `pinned` check reports it)."""
    return (
        under_way(task)
        and placement.start == task.pinned_start
        and placement.worker_id == task.pinned_worker
    )


def _pools(problem: Problem, schedule: Schedule) -> list[Violation]:
    out: list[Violation] = []
    events: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for t in problem.tasks:
        p = schedule.placements.get(t.id)
        if p is None or p.end <= p.start:
            continue
        for pool, units in t.demands.items():
            if units:
                events[pool].append((p.start, units, t.id))
                events[pool].append((p.end, -units, t.id))
    for pool, evs in events.items():
        cap = problem.pools.get(pool, 0)
        used = 0
        # Releases sort before acquisitions at the same hour (negative units first).
        for hour, units, tid in sorted(evs, key=lambda e: (e[0], e[1])):
            used += units
            if units > 0 and used > cap:
                out.append(Violation(tid, "capacity", f"{pool} at {hour}: {used} > {cap}"))
    return out
