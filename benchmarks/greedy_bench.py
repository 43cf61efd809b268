"""Greedy speed: the serial schedule-generation scheme with its worker index by skill, against
the previous greedy (every worker scanned for every step) loaded from git history into the same
process, on the generated firm load at two sizes.

    .venv/bin/python benchmarks/greedy_bench.py [--cases 1000 4000] [--rule min_slack]
        [--days 20] [--staff-per-300 40] [--tightness 0.7 1.3]
        [--old-commit 513c40a] [--repeat 1] [--seed 7]

Cases arrive over `--days` working days and staff grow with them (`--staff-per-300`: 40 per
300 cases, as in firm_load_bench.py: about 94 % of staff time is needed); 30 per 300 cases
overload the firm. Both run the same rule on
the same problem, alternately, and the placements must be identical. Prints per size the
seconds of each (the best of `--repeat` runs), the ratio new/old, and between the two sizes
how the time grows against the number of steps (1 = linear, 2 = quadratic).
Target: the new greedy near-linear, and the ratio well below 1 at the larger size.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "scheduling"))

from firm_load_bench import generate

from expedite.domain.scheduling import Problem
from expedite.domain.scheduling.greedy import solve_greedy

ROOT = Path(__file__).resolve().parent.parent
FILES = ("model.py", "greedy.py")


def load_old(commit: str) -> types.ModuleType:
    """The scheduling package's model and greedy as they were at `commit`, importable beside
    today's (as `oldsched.scheduling`), sharing today's errors module."""
    base = Path(tempfile.mkdtemp(prefix="greedy-bench-"))
    pkg = base / "oldsched"
    (pkg / "scheduling").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "errors.py").write_text(
        "from expedite.domain.errors import *  # noqa\n"
        "from expedite.domain.errors import DomainError, gettext_noop\n"
    )
    (pkg / "scheduling" / "__init__.py").write_text("")
    for name in FILES:
        text = subprocess.run(
            ["git", "show", f"{commit}:src/expedite/domain/scheduling/{name}"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (pkg / "scheduling" / name).write_text(text)
    sys.path.insert(0, str(base))
    import oldsched.scheduling.greedy as old

    return old


def convert(problem: Problem, old) -> object:
    """The same problem built from the old module's dataclasses."""
    model = sys.modules[old.__name__.rsplit(".", 1)[0] + ".model"]

    def copy(obj, cls):
        return cls(**{f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})

    return model.Problem(
        tasks=tuple(copy(t, model.Task) for t in problem.tasks),
        workers=tuple(copy(w, model.Worker) for w in problem.workers),
        pools=problem.pools,
        horizon=problem.horizon,
    )


def timed(fn, repeat: int):
    best, out = math.inf, None
    for _ in range(repeat):
        began = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - began)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs=2, default=[1000, 4000])
    parser.add_argument("--rule", default="min_slack")
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--staff-per-300", type=float, default=40.0)
    parser.add_argument("--tightness", type=float, nargs=2, default=[0.7, 1.3])
    parser.add_argument("--old-commit", default="513c40a")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    old = load_old(args.old_commit)
    rows = []
    print(f"rule {args.rule}; old = greedy at {args.old_commit}; best of {args.repeat}")
    print(f"{'cases':>6} {'steps':>7} {'staff':>6} {'old s':>8} {'new s':>8} {'new/old':>8}  wt")
    for cases in args.cases:
        staff = max(1, round(cases * args.staff_per_300 / 300))
        problem = generate(cases, staff, args.days, args.seed, tuple(args.tightness))
        legacy = convert(problem, old)
        t_new, new = timed(lambda p=problem: solve_greedy(p, args.rule), args.repeat)
        t_old, was = timed(lambda p=legacy: old.solve_greedy(p, args.rule), args.repeat)
        same = {k: (p.start, p.end, p.worker_id) for k, p in new.placements.items()} == {
            k: (p.start, p.end, p.worker_id) for k, p in was.placements.items()
        }
        if not same:
            sys.exit(f"{cases} cases: the new greedy's placements differ from the old one's")
        rows.append((len(problem.tasks), t_old, t_new))
        print(
            f"{cases:>6} {len(problem.tasks):>7} {staff:>6} {t_old:>8.2f} {t_new:>8.2f}"
            f" {t_new / t_old:>8.3f}  {new.objective.weighted_tardiness:,.0f}"
        )
    (n1, o1, w1), (n2, o2, w2) = rows
    grow = math.log(n2 / n1)
    print(
        f"growth exponent (time ~ steps^k): old {math.log(o2 / o1) / grow:.2f}, "
        f"new {math.log(w2 / w1) / grow:.2f}; identical placements at both sizes"
    )


if __name__ == "__main__":
    main()
