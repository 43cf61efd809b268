"""PSPLIB single-mode RCPSP: greedy and CP-SAT against the best-known makespans.

    .venv/bin/python benchmarks/scheduling/psplib_bench.py DIR [--set j30 j60] [--limit N]
        [--seconds 1 10] [--wall] [--workers 1]

DIR holds `j30/`, `j60/`, ... (`.sm` files) and `solutions/` (`j30hrs.sm`, ...); the data
is not in the repository. Per set and solver it prints the average % deviation from the
best-known makespan, the average % over the critical-path lower bound, how many instances
match the best known, and the time per instance. `--limit N` takes N instances spread
evenly over the set (the parameter classes differ a lot in difficulty). CP-SAT's limit is
its deterministic time by default (reproducible); `--wall` makes it wall-clock seconds.
Targets: CP-SAT within 0.5 % of the optimum on j30 at 1 s; greedy within 5 %.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from expedite.domain.scheduling import check, solve
from expedite.domain.scheduling.psplib import critical_path_bound, load_sm, parse_solutions


def instances(directory: Path, name: str, limit: int | None) -> list[Path]:
    def order(path: Path) -> tuple[int, int]:
        numbers = re.findall(r"\d+", path.stem[len(name) :])
        return (int(numbers[0]), int(numbers[1])) if len(numbers) >= 2 else (0, 0)

    files = sorted((directory / name).glob("*.sm"), key=order)
    if limit and limit < len(files):
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def best_known(directory: Path, name: str) -> dict[str, int]:
    best: dict[str, int] = {}
    for path in sorted((directory / "solutions").glob("*")):
        if path.name.lower().startswith(f"{name}hrs") or path.name.lower().startswith(
            f"ugent_bks_{name}"
        ):
            for key, value in parse_solutions(path).items():
                best[key] = min(value, best.get(key, value))
    return best


def run_set(directory: Path, name: str, args) -> None:
    files = instances(directory, name, args.limit)
    best = best_known(directory, name)
    solvers = [(f"greedy:{rule}", {"rule": rule}) for rule in ("min_slack", "lft", "best")]
    for seconds in args.seconds:
        label = f"cpsat {seconds:g}{'s wall' if args.wall else ' (det)'}"
        options = {"solver": "cpsat", "time_limit": seconds, "deterministic": not args.wall}
        solvers.append((label, options | {"workers": args.workers}))
    rows = {label: [] for label, _ in solvers}
    for n, path in enumerate(files, 1):
        problem = load_sm(path)
        bound = critical_path_bound(problem)
        known = best.get(path.stem)
        for label, options in solvers:
            began = time.perf_counter()
            schedule = solve(problem, **options)
            elapsed = time.perf_counter() - began
            faults = check(problem, schedule)
            if faults:
                sys.exit(f"{path.name} {label}: invalid schedule {faults[:3]}")
            rows[label].append((schedule.objective.makespan, known, bound, elapsed, schedule))
        if args.progress:
            print(f"  {name} {n}/{len(files)} {path.stem}", file=sys.stderr, flush=True)
    print(f"\n{name}: {len(files)} instances ({len(best)} best-known values) from {directory}")
    header = f"{'solver':<18}{'dev best %':>11}{'over CP %':>11}{'= best':>9}{'optimal':>9}"
    print(header + f"{'s/inst':>9}{'max s':>8}")
    for label, results in rows.items():
        scored = [(m, k, b, s) for m, k, b, s, _ in results if k]
        dev = sum((m - k) / k for m, k, _, _ in scored) / max(len(scored), 1) * 100
        over = sum((m - b) / b for m, _, b, _, _ in results if b) / len(results) * 100
        match = sum(m <= k for m, k, _, _ in scored)
        proven = sum(s.optimal for *_, s in results)
        avg = sum(e for *_, e, _ in results) / len(results)
        worst = max(e for *_, e, _ in results)
        print(
            f"{label:<18}{dev:>11.2f}{over:>11.2f}{match:>5}/{len(scored):<3}"
            f"{proven:>9}{avg:>9.3f}{worst:>8.2f}"
        )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--set", nargs="+", default=["j30"], dest="sets")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seconds", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--wall", action="store_true", help="CP-SAT limit in wall seconds")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    for name in args.sets:
        run_set(args.directory, name, args)


if __name__ == "__main__":
    main()
