"""Every solver's schedule passes the checker on random problems; broken ones do not."""

import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expedite.domain.scheduling import Placement, Problem, Schedule, Task, Worker, check, solve

SKILLS = ("reg", "tax", "bank")


@st.composite
def problems(draw):
    n_workers = draw(st.integers(1, 3))
    workers = []
    for i in range(n_workers):
        skills = draw(st.sets(st.sampled_from(SKILLS), min_size=1))
        spans = draw(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 6)), max_size=2))
        workers.append(Worker(f"w{i}", frozenset(skills), tuple((a, a + d) for a, d in spans)))
    offered = set().union(*(w.skills for w in workers))
    pools = {"room": draw(st.integers(1, 3))}
    tasks = []
    for i in range(draw(st.integers(1, 8))):
        skill = draw(st.one_of(st.none(), st.sampled_from(sorted(offered))))
        preds = draw(st.sets(st.sampled_from([t.id for t in tasks]), max_size=2)) if tasks else ()
        tasks.append(
            Task(
                id=f"t{i}",
                case_id=f"c{draw(st.integers(0, 2))}",
                hours=draw(st.integers(0, 5)),
                skill=skill,
                predecessors=tuple(sorted(preds)),
                release=draw(st.integers(0, 6)),
                due=draw(st.one_of(st.none(), st.integers(0, 30))),
                weight=draw(st.sampled_from([1.0, 2.5])),
                demands={"room": draw(st.integers(0, pools["room"]))},
                current_worker=draw(st.one_of(st.none(), st.sampled_from([w.id for w in workers]))),
                current_start=draw(st.one_of(st.none(), st.integers(0, 10))),
            )
        )
    # Up to two steps may already be running with a worker who can do it: after their
    # absences, or at any hour (under way at once, or through an absence: facts to plan around).
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(tasks) - 1))
        t = tasks[i]
        able = [w for w in workers if t.skill is None or t.skill in w.skills]
        w = draw(st.sampled_from(able))
        start = max([b for _, b in w.blocked], default=0)
        start = draw(st.sampled_from([start, draw(st.integers(0, 8))]))
        tasks[i] = replace(t, predecessors=(), pinned_worker=w.id, pinned_start=start, demands={})
    return Problem(tuple(tasks), tuple(workers), pools)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(["min_slack", "lft", "wedf", "fifo", "edf"]))
def test_every_greedy_schedule_is_valid(problem, rule):
    solver = rule if rule in ("fifo", "edf") else "greedy"
    schedule = solve(problem, solver=solver, rule=rule)
    assert check(problem, schedule) == []
    assert set(schedule.placements) == {t.id for t in problem.tasks}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_cpsat_schedule_is_valid_and_no_worse_than_greedy(problem):
    exact = solve(problem, solver="cpsat", time_limit=0.2)
    assert check(problem, exact) == []
    assert exact.objective.key() <= solve(problem, rule="best").objective.key()


def mutated(schedule, task_id, **changes):
    placements = dict(schedule.placements)
    placements[task_id] = replace(placements[task_id], **changes)
    return replace(schedule, placements=placements)


def kinds(problem, schedule):
    return {v.kind for v in check(problem, schedule)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_broken_schedules_are_caught(problem, data):
    schedule = solve(problem)
    by_id = {t.id: t for t in problem.tasks}
    t = data.draw(st.sampled_from(problem.tasks))
    p = schedule.placements[t.id]

    dropped = dict(schedule.placements)
    del dropped[t.id]
    assert "missing" in kinds(problem, replace(schedule, placements=dropped))

    assert "duration" in kinds(problem, mutated(schedule, t.id, end=p.end + 1))

    if t.pinned_start is None and t.release > 0:
        early = mutated(schedule, t.id, start=t.release - 1, end=t.release - 1 + t.hours)
        assert "release" in kinds(problem, early)

    preds = [q for q in t.predecessors if by_id[q].hours > 0]
    if preds and t.pinned_start is None:
        q = schedule.placements[preds[0]]
        assert "precedence" in kinds(
            problem, mutated(schedule, t.id, start=q.start, end=q.start + t.hours)
        )

    if t.skill is not None:
        lacking = [w.id for w in problem.workers if t.skill not in w.skills]
        if lacking:
            assert "skill" in kinds(problem, mutated(schedule, t.id, worker_id=lacking[0]))

    if t.pinned_worker is not None:
        other = [w.id for w in problem.workers if w.id != t.pinned_worker]
        if other:
            assert "pinned" in kinds(problem, mutated(schedule, t.id, worker_id=other[0]))

    # Put a second worker-bound task on top of this one, with the same worker.
    if p.worker_id is not None and t.hours > 0:
        able = [
            u
            for u in problem.tasks
            if u.id != t.id
            and u.hours > 0
            and u.skill is not None
            and u.pinned_start is None
            and u.pinned_worker in (None, p.worker_id)
            and u.skill in next(w for w in problem.workers if w.id == p.worker_id).skills
        ]
        if able:
            u = able[0]
            clash = mutated(
                schedule, u.id, start=p.start, end=p.start + u.hours, worker_id=p.worker_id
            )
            assert "capacity" in kinds(problem, clash)

    # The worker's absence: move the task into a blocked span of its worker.
    if p.worker_id is not None and t.hours > 0 and t.pinned_start is None:
        worker = next(w for w in problem.workers if w.id == p.worker_id)
        if worker.blocked:
            a, _ = worker.blocked[0]
            assert "calendar" in kinds(problem, mutated(schedule, t.id, start=a, end=a + t.hours))


def test_a_schedule_for_another_problem_is_refused():
    problem = Problem((Task("a", "A", 1),))
    stray = Schedule(
        {"a": Placement("a", 0, 1, None), "zz": Placement("zz", 0, 1, None)},
        solve(problem).objective,
        "hand",
        optimal=False,
        seconds=0.0,
    )
    assert [v.kind for v in check(problem, stray)] == ["missing"]


def scanning_every_worker(problem):
    """Greedy's choice of worker as it was before the index: try every worker with the skill,
    keep the earliest start, then today's worker, the least versatile, the least loaded, the
    first listed."""

    def best(staff, task, t):
        if task.pinned_worker is not None:
            return staff.timelines[task.pinned_worker].earliest(t, task.hours), task.pinned_worker
        options = [w.id for w in problem.workers if task.skill in w.skills]
        start, *_, wid = min(
            (
                staff.timelines[w].earliest(t, task.hours),
                w != task.current_worker,
                staff.breadth[w],
                staff.load[w],
                i,
                w,
            )
            for i, w in enumerate(options)
        )
        return start, wid

    return best


def same_as_scanning_every_worker(problem, monkeypatch):
    from expedite.domain.scheduling import greedy

    for rule in ("min_slack", "lft", "wedf", "fifo", "edf"):
        solver = rule if rule in ("fifo", "edf") else "greedy"
        indexed = solve(problem, solver=solver, rule=rule)
        with monkeypatch.context() as m:
            m.setattr(greedy._Staff, "best", scanning_every_worker(problem))
            scanned = solve(problem, solver=solver, rule=rule)
        assert indexed.placements == scanned.placements, rule


def random_firm(seed, cases=60, staff=14):
    """Steps of four skills, people with one to three of them, absences, today's plan, a step
    or two under way, zero-hour steps: every tie the worker index has to break as before."""
    rnd = random.Random(seed)
    skills = ("reg", "tax", "bank", "notary")
    workers = []
    for i in range(staff):
        mine = frozenset(rnd.sample(skills, rnd.choice([1, 1, 2, 3])))
        away = [
            (d * 8, d * 8 + rnd.choice([4, 8]))
            for d in rnd.sample(range(10), rnd.choice([0, 1, 2]))
        ]
        workers.append(Worker(f"w{i:02d}", mine, tuple(sorted(away))))
    offered = sorted(set().union(*(w.skills for w in workers)))
    tasks = []
    for c in range(cases):
        due, weight, release = rnd.randint(10, 80), rnd.choice([1.0, 2.0, 5.0]), rnd.randint(0, 40)
        prev = ()
        for k in range(rnd.randint(1, 4)):
            skill = rnd.choice([*offered, None])
            able = [w.id for w in workers if skill in w.skills]
            tasks.append(
                Task(
                    f"{c}.{k}",
                    f"c{c}",
                    rnd.choice([0, 1, 2, 3, 4, 6, 8]),
                    skill,
                    prev,
                    release=release,
                    due=due,
                    weight=weight,
                    current_worker=rnd.choice([None, *able]) if able else None,
                    current_start=rnd.choice([None, release]),
                )
            )
            prev = (tasks[-1].id,)
    for i in rnd.sample(range(len(tasks)), 3):
        t = tasks[i]
        able = [w.id for w in workers if t.skill in w.skills]
        if able and not t.predecessors:
            tasks[i] = replace(t, pinned_worker=rnd.choice(able), pinned_start=rnd.randint(0, 6))
    return Problem(tuple(tasks), tuple(workers))


@pytest.mark.parametrize("enumerate_up_to", [0, 2, 16])  # walk the order, compare, or both
def test_the_worker_index_chooses_exactly_as_scanning_every_worker(monkeypatch, enumerate_up_to):
    from expedite.domain.scheduling import greedy

    monkeypatch.setattr(greedy, "ENUMERATE", enumerate_up_to)
    for seed in range(4):
        same_as_scanning_every_worker(random_firm(seed), monkeypatch)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_worker_index_chooses_exactly_as_scanning_every_worker_on_small_problems(problem):
    with pytest.MonkeyPatch.context() as monkeypatch:
        same_as_scanning_every_worker(problem, monkeypatch)
