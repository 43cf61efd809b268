"""The every-minute SLA watch at scale: one run projecting every running case, as it did,
against the incremental runs that project only the cases due (monitoring/recheck.py).

For each size N, the scale firm of N cases (`benchmarks/pages_bench.py` builds and keeps it
under `--var`; `--firm DIR` takes an already built var dir instead), copied to a scratch dir
and migrated there, so the firm's key need not match this schema. Then, in a new process per
size, with the clock standing at the firm's pinned instant (a Thursday, 10:00, in working
time: the costliest minute), one minute apart:

  warm-up      the old scan once (opens and clears what the firm's history left)
  baseline     the old scan: every running case projected, nothing recorded
  first run    the incremental scan with no recheck rows yet: every running case, recorded
  steady       `--steady` incremental runs, one a minute (median); between two of them a
               step starts, as the team works
  sla_watch    one whole job (escalations + warnings) in steady state

and after the last run a full scan at the same instant must find nothing to open, restate or
clear (the check that the incremental runs lost nothing). Prints seconds, ratios against the
baseline of the same process, and how many cases each run projected.

    .venv/bin/python benchmarks/watch_bench.py [--sizes 1000 10000] [--steady 5]
        [--var var/pages-bench] [--firm DIR ...]  # --firm: one built var dir per size
    # The CI form (`make bench-smoke`): a tiny firm (the one pages_bench built there).
    .venv/bin/python benchmarks/watch_bench.py --sizes 20 --steady 2 --var "$(mktemp -d)" \
        [--migrated DIR]   # build from a copy of this migrated var dir
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pages_bench  # the firm: built, kept and keyed there

ROOT = Path(__file__).resolve().parent.parent


def child(steady: int) -> None:
    coordinates = pages_bench._django(tick=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from expedite.monitoring import watch
    from expedite.monitoring.models import RiskWarning
    from expedite.work.models import StepRun

    start = pages_bench._now()
    minute = dt.timedelta(minutes=1)
    projected: list[int] = []
    real_follow = watch._follow

    def counting(case, *args, **kwargs):
        projected.append(case.pk)
        return real_follow(case, *args, **kwargs)

    watch._follow = counting

    def timed(run, at):
        coordinates.move_to(at)
        projected.clear()
        began = time.perf_counter()
        run(now=at)
        return time.perf_counter() - began, len(projected)

    def old_scan(*, now):
        # The scan as it was: every running case projected, no recheck row read or written.
        saved = watch.recheck_claim, watch.recheck_store, watch.end_drift
        watch.recheck_claim = watch.recheck_store = watch.end_drift = lambda *a, **k: None
        try:
            return watch.warnings_scan(now=now, full=True)
        finally:
            watch.recheck_claim, watch.recheck_store, watch.end_drift = saved

    timed(old_scan, start)
    baseline = timed(old_scan, start + minute)
    first = timed(watch.warnings_scan, start + 2 * minute)
    waiting = StepRun.objects.filter(started_at__isnull=True, case__state="in_progress").first()
    runs = []
    for i in range(steady):
        at = start + (3 + i) * minute
        if i == 1 and waiting is not None:
            # A step starts between two runs (its case must be projected again).
            waiting.started_at = at - dt.timedelta(seconds=30)
            waiting.save(update_fields=["started_at"])
        runs.append(timed(watch.warnings_scan, at))
    last = start + (2 + steady) * minute
    whole = timed(watch.sla_watch, last + minute)
    before = sorted(RiskWarning.objects.values_list("pk", "reason", "cleared_at"))
    assert watch.warnings_scan(now=last + minute, full=True) == 0, "the incremental run missed one"
    after = sorted(RiskWarning.objects.values_list("pk", "reason", "cleared_at"))
    assert before == after, "the incremental runs and the full scan disagree"
    print(
        json.dumps(
            {
                "running": baseline[1],
                "baseline": baseline,
                "first": first,
                "steady": [statistics.median(t for t, _ in runs), max(n for _, n in runs)],
                "sla_watch": whole,
            }
        )
    )


def firm_copy(size: int, args, given: str | None, scratch: Path) -> Path:
    if given:
        source = Path(given)
    else:
        source, _database = pages_bench.ensure_firm(size, args)
    target = scratch / f"n{size}"
    shutil.copytree(source, target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--steady", type=int, default=5)
    parser.add_argument("--var", default=str(ROOT / "var" / "pages-bench"))
    parser.add_argument("--firm", nargs="*", default=[], help="built var dirs, one per size")
    parser.add_argument("--migrated", default="", help="a migrated var dir to build from")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.steady)
        return 0
    # What pages_bench.ensure_firm reads besides the sizes.
    args.pg, args.rebuild = False, False
    given = dict(zip(args.sizes, args.firm, strict=False))
    print(f"sqlite, at {pages_bench.NOW}, {args.steady} steady runs")
    print(f"  {'cases':>7}{'running':>9}  {'run':<11}{'s':>8}{'x base':>8}{'projected':>11}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            var = firm_copy(size, args, given.get(size), Path(scratch))
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--steady", str(args.steady)],
                env=pages_bench._env(var, None),
                check=True,
                text=True,
                stdout=subprocess.PIPE,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            base = r["baseline"][0]
            for name in ("baseline", "first", "steady", "sla_watch"):
                took, n = r[name]
                print(
                    f"  {size:>7}{r['running']:>9}  {name:<11}{took:>8.3f}"
                    f"{took / base:>8.2f}{n:>11}"
                )
            shutil.rmtree(var)
    return 0


if __name__ == "__main__":
    sys.exit(main())
