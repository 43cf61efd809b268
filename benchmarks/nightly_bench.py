"""The nightly proposal on a firm's own data, against the simple plans of the same run.

For each size N, the firm of N cases that benchmarks/pages_bench.py builds (the same seeded
generator, kept under the same `--var`), copied so the run leaves it as it was; then, in a new
process at the firm's pinned instant, the night's job: `schedule_nightly` (every simple plan,
then CP-SAT seeded with the best of them for `--seconds` of its own), timed. Prints per size the
steps placed, each simple plan's weighted tardiness, the proposal's, a lower bound no plan can
beat (each case's tardiness alone: its chain of steps, nobody busy), and the proposal against
EDF (the conflict-free deadline-order plan the schedule page shows beside it, the baseline),
against the best simple plan, and the share of EDF's avoidable tardiness (above the bound) the
proposal leaves. A proposal worse than any simple plan of its own run fails the
script.

    .venv/bin/python benchmarks/nightly_bench.py [--sizes 1000 10000] [--seconds 30]
        [--seed 7] [--var var/pages-bench]
    # The CI form (`make bench-smoke`): a tiny firm, a short search.
    .venv/bin/python benchmarks/nightly_bench.py --sizes 20 --seconds 1 --var "$(mktemp -d)" \
        [--migrated DIR]
Goals: never worse than the deadline-order plan (EDF); <= 0.7 x EDF at 1k and 10k cases.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _ratio(a: float, b: float) -> float:
    if b:
        return a / b
    return 1.0 if a == b else float("inf")


def _pages_bench():
    spec = importlib.util.spec_from_file_location("pages_bench", HERE / "pages_bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child_night(seconds: float) -> None:
    pages = _pages_bench()
    pages._django(tick=True)
    from expedite.domain.scheduling.model import case_due, case_weight, critical_path
    from expedite.work.models import ScheduleProposal
    from expedite.work.schedule import schedule_nightly
    from expedite.work.schedule_input import load_inputs

    began = time.perf_counter()
    made = schedule_nightly(now=pages._now(), solver="cpsat", time_limit=seconds)
    took = time.perf_counter() - began
    if made.get("proposal") is None:
        print(json.dumps({"steps": 0}))
        return
    proposal = ScheduleProposal.objects.get(pk=made["proposal"])
    # No plan can end a case before its own chain of steps allows, whoever does them: the
    # tardiness of each case alone (critical path, no one busy) bounds every plan from below.
    problem = load_inputs(now=pages._now()).problem
    es, _lf = critical_path(problem)
    ends: dict[str, int] = {}
    for t in problem.tasks:
        ends[t.case_id] = max(ends.get(t.case_id, 0), es[t.id] + t.hours)
    weights = case_weight(problem)
    bound = sum(
        weights[c] * max(0, ends.get(c, 0) - d)
        for c, d in case_due(problem).items()
        if d is not None
    )
    print(
        json.dumps(
            {
                "steps": len(proposal.placements),
                "seconds": round(took, 1),
                "solver": proposal.solver,
                "proposal": proposal.weighted_tardiness,
                "plans": proposal.summary.get("plans", {}),
                "bound": float(bound),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--seconds", type=float, default=30.0, help="CP-SAT's own budget")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--var", default=str(HERE.parent / "var" / "pages-bench"))
    parser.add_argument("--migrated", default="", help="a migrated var dir to start from")
    parser.add_argument("--night", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.night:
        child_night(args.seconds)
        return 0
    pages = _pages_bench()
    firm_args = argparse.Namespace(
        seed=args.seed, var=args.var, pg=False, rebuild=False, migrated=args.migrated
    )
    failed = False
    print(f"{'cases':>6} {'steps':>6} {'s':>6}  {'proposal':>10} {'edf':>10} {'best':>10}"
          f" {'bound':>10}  {'/edf':>5} {'/best':>6} {'avoidable':>9}  simple plans")  # fmt: skip
    for size in args.sizes:
        home, _database = pages.ensure_firm(size, firm_args)
        with tempfile.TemporaryDirectory(prefix="nightly-bench-") as tmp:
            var = Path(tmp) / "var"
            shutil.copytree(home, var)
            run = subprocess.run(
                [sys.executable, __file__, "--night", "--seconds", str(args.seconds)],
                env=pages._env(var, None),
                check=True,
                text=True,
                stdout=subprocess.PIPE,
            )
        found = json.loads(run.stdout.strip().splitlines()[-1])
        if not found["steps"]:
            print(f"{size:>6} nothing to schedule")
            continue
        plans = found["plans"]
        edf = plans["edf"]
        best_simple = min(v for k, v in plans.items() if k != "cpsat")
        bound = found["bound"]
        simple = " ".join(f"{k.removeprefix('greedy:')} {v:.0f}" for k, v in sorted(plans.items()))
        print(
            f"{size:>6} {found['steps']:>6} {found['seconds']:>6.1f}  {found['proposal']:>10.0f}"
            f" {edf:>10.0f} {best_simple:>10.0f} {bound:>10.0f}  {_ratio(found['proposal'], edf):>5.2f}"
            f" {_ratio(found['proposal'], best_simple):>6.2f}"
            f" {_ratio(found['proposal'] - bound, edf - bound):>9.2f}  {simple}"
        )
        if found["proposal"] > best_simple:
            print(
                f"!! the proposal ({found['proposal']}) is worse than a simple plan ({best_simple})"
            )
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
