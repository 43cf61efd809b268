"""A generated firm load: FIFO, EDF, greedy and CP-SAT side by side.

    .venv/bin/python benchmarks/scheduling/firm_load_bench.py [--cases 300] [--staff 40]
        [--days 20] [--seed 7] [--seconds 10] [--workers 1] [--wall] [--skip-cpsat]
        [--tightness 0.7 1.3]

Cases of the default catalog's services arrive over `--days` working days (8 hours each).
A firm step needs one person with the step's skill for half its elapsed time (the
staffing model's 4 hours per working day), contiguously; a government step (role
`government`) needs nobody and just takes its elapsed time. Deadlines are tight: the
standard elapsed duration times 0.7-1.3 (`--tightness`) from arrival, but never shorter than the case's
own critical path (a promise triage would refuse), so all lateness comes from contention; weights 1 (normal), 2 (urgent) and
4 (key client). Staff have a main skill in proportion to the demand for it and sometimes a
second or third; some are away a day or two. Prints on-time rate, weighted tardiness,
makespan and solve time per solver; with `--cases 1000 --staff 200` it also prints CP-SAT's
peak memory. Targets: CP-SAT weighted tardiness at most half of EDF's; greedy for 300 × 40
under 1 s; CP-SAT for 1000 × 200 under 2 GB.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter

from expedite.catalog import load_default_catalog
from expedite.domain.scheduling import Problem, Task, Worker, case_tardiness, check, cpsat, solve
from expedite.domain.staffing import EFFORT_HOURS_PER_STEP_DAY

DAY = 8
WEIGHTS = [(1.0, 0.7), (2.0, 0.2), (4.0, 0.1)]


def elapsed(step) -> int:
    return max(1, round(step.duration.workdays * DAY + step.duration.hours))


def effort(step) -> int:
    share = EFFORT_HOURS_PER_STEP_DAY / DAY
    return max(1, round((step.duration.workdays * DAY + step.duration.hours) * share))


def length(service, duration) -> int:
    """The service's critical path with each step taking `duration(step)` hours."""
    finish: dict[str, int] = {}
    for step in service.steps:  # the catalog lists steps after what they depend on
        if not step.when:
            begin = max((finish[d] for d in step.depends_on if d in finish), default=0)
            firm = step.role != "government"
            finish[step.code] = begin + (duration(step) if firm else elapsed(step))
    return max(finish.values())


def generate(
    cases: int, staff: int, days: int, seed: int, tightness: tuple[float, float] = (0.7, 1.3)
) -> Problem:
    rnd = random.Random(seed)
    services = [s for s in load_default_catalog().services if any(not st.when for st in s.steps)]
    tasks: list[Task] = []
    demand: Counter[str] = Counter()
    for c in range(cases):
        service = rnd.choice(services)
        release = rnd.randrange(0, days * DAY)
        # A deadline the case could meet on its own (triage refuses less), often tighter
        # than the standard duration.
        alone = length(service, effort)
        due = release + max(alone, round(length(service, elapsed) * rnd.uniform(*tightness)))
        weight = rnd.choices([w for w, _ in WEIGHTS], [p for _, p in WEIGHTS])[0]
        case = f"c{c:04d}-{service.code}"
        # Conditional steps are left out, and so are the dependencies on them.
        kept = {st.code for st in service.steps if not st.when}
        for step in service.steps:
            if step.when:
                continue
            firm = step.role != "government"
            hours = effort(step) if firm else elapsed(step)
            if firm:
                demand[step.skill] += hours
            tasks.append(
                Task(
                    id=f"{case}/{step.code}",
                    case_id=case,
                    hours=hours,
                    skill=step.skill if firm else None,
                    predecessors=tuple(f"{case}/{d}" for d in step.depends_on if d in kept),
                    release=release,
                    due=due,
                    weight=weight,
                )
            )
    skills = sorted(demand)
    total = sum(demand.values())
    # Main skills in proportion to the work that needs them (largest remainder, one each
    # at least), so no skill is starved by the draw; extra skills are random.
    quota = {s: demand[s] / total * staff for s in skills}
    seats = {s: max(1, int(quota[s])) for s in skills}
    for s in sorted(skills, key=lambda s: quota[s] - int(quota[s]), reverse=True):
        if sum(seats.values()) >= staff:
            break
        seats[s] += 1
    mains = [s for s in skills for _ in range(seats[s])][:staff]
    mains += [rnd.choice(skills) for _ in range(staff - len(mains))]
    workers = []
    for i, main in enumerate(mains):
        extra = {rnd.choice(skills) for _ in range(rnd.choice([0, 0, 1, 2]))}
        away = sorted(rnd.sample(range(days), rnd.choice([0, 0, 0, 1, 2])))
        blocked = tuple((d * DAY, d * DAY + DAY) for d in away)
        workers.append(Worker(f"s{i:03d}", frozenset({main} | extra), blocked))
    # A small firm has fewer people than skills: someone takes on each skill nobody has, or
    # its steps could not be placed at all.
    held = set().union(*(w.skills for w in workers))
    for n, skill in enumerate(s for s in skills if s not in held):
        w = workers[n % len(workers)]
        workers[n % len(workers)] = Worker(w.id, w.skills | {skill}, w.blocked)
    return Problem(tasks=tuple(tasks), workers=tuple(workers), horizon=days * DAY)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--staff", type=int, default=40)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--wall", action="store_true", help="CP-SAT limit in wall seconds")
    parser.add_argument("--skip-cpsat", action="store_true")
    parser.add_argument(
        "--whole",
        action="store_true",
        help="one CP-SAT model of everything, never the large-neighbourhood search",
    )
    parser.add_argument(
        "--tightness",
        type=float,
        nargs=2,
        default=(0.7, 1.3),
        metavar=("LO", "HI"),
        help="deadline as a multiple of the standard duration (default 0.7 1.3)",
    )
    args = parser.parse_args()

    if args.whole:
        cpsat.LNS_TASKS = cpsat.LNS_CHOICES = sys.maxsize
    began = time.perf_counter()
    problem = generate(args.cases, args.staff, args.days, args.seed, tuple(args.tightness))
    firm_hours = sum(t.hours for t in problem.tasks if t.skill)
    print(
        f"{args.cases} cases, {len(problem.tasks)} steps, {args.staff} staff, "
        f"{args.days} working days; firm work {firm_hours} h vs "
        f"{args.staff * args.days * DAY} h of staff time (seed {args.seed}, deadlines "
        f"{args.tightness[0]:g}-{args.tightness[1]:g} x standard, "
        f"generated in {time.perf_counter() - began:.2f} s, {peak_mb():.0f} MB)"
    )
    runs = [("fifo", {"solver": "fifo"}), ("edf", {"solver": "edf"})]
    runs += [(f"greedy:{r}", {"rule": r}) for r in ("min_slack", "lft", "wedf", "best")]
    if not args.skip_cpsat:
        mode = "s wall" if args.wall else " det"
        runs.append(
            (
                f"cpsat {args.seconds:g}{mode}",
                {
                    "solver": "cpsat",
                    "time_limit": args.seconds,
                    "workers": args.workers,
                    "deterministic": not args.wall,
                    "seed": args.seed,
                },
            )
        )
    print(f"{'solver':<18}{'on time':>9}{'weighted tardiness':>20}{'late cases':>12}", end="")
    print(f"{'makespan':>10}{'changes':>9}{'seconds':>9}")
    edf = None
    for label, options in runs:
        schedule = solve(problem, **options)
        faults = check(problem, schedule)
        if faults:
            sys.exit(f"{label}: invalid schedule {faults[:3]}")
        late = case_tardiness(problem, schedule)
        on_time = sum(1 for h in late.values() if h == 0) / len(late)
        o = schedule.objective
        if label == "edf":
            edf = o.weighted_tardiness
        print(
            f"{label:<18}{on_time:>9.1%}{o.weighted_tardiness:>20,.0f}"
            f"{sum(1 for h in late.values() if h):>12}{o.makespan:>10}{o.changes:>9}"
            f"{schedule.seconds:>9.2f}",
            flush=True,
        )
    if edf and not args.skip_cpsat:
        print(f"cpsat / edf weighted tardiness: {o.weighted_tardiness / edf:.2f}")
    print(f"peak memory (maxrss): {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
