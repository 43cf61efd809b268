"""Working-day calendar: ours against chinesecalendar's own functions, in one process.

100,000 random (date, n) pairs across 2015–2026. For each pair both answer:
- `add_workdays(d, n)` vs `chinese_calendar.find_workday(n, d)` (the same convention);
- `workdays_between(d, e + 1 day)` vs `len(chinese_calendar.get_workdays(d, e))`
  (ours is half-open [d, e + 1), theirs closed [d, e]);
then the bulk (numpy) forms on all pairs at once. Results must be identical; the script
prints the speed ratios and exits non-zero on any difference.

    .venv/bin/python benchmarks/calendar_bench.py [--pairs 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

import chinese_calendar as cc
import numpy as np

from expedite.domain.calendar import WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements


def best_of(runs: int, fn):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    # Stay inside the years chinesecalendar knows, answers included (it refuses 2027).
    lo, hi = dt.date(2015, 3, 1).toordinal(), dt.date(2026, 9, 30).toordinal()
    dates = [dt.date.fromordinal(rng.randint(lo, hi)) for _ in range(args.pairs)]
    counts = [rng.randint(-40, 40) for _ in range(args.pairs)]
    spans = [rng.randint(0, 60) for _ in range(args.pairs)]
    ends = [d + dt.timedelta(days=k) for d, k in zip(dates, spans, strict=True)]
    one = dt.timedelta(days=1)

    build_t, cal = best_of(1, lambda: WorkCalendar(statutory_arrangements()))
    print(f"pairs: {args.pairs}, calendar built in {build_t * 1000:.1f} ms")

    base_add_t, base_add = best_of(
        1, lambda: [cc.find_workday(n, d) for d, n in zip(dates, counts, strict=True)]
    )
    ours_add_t, ours_add = best_of(
        3, lambda: [cal.add_workdays(d, n) for d, n in zip(dates, counts, strict=True)]
    )
    base_cnt_t, base_cnt = best_of(
        1, lambda: [len(cc.get_workdays(d, e)) for d, e in zip(dates, ends, strict=True)]
    )
    ours_cnt_t, ours_cnt = best_of(
        3, lambda: [cal.workdays_between(d, e + one) for d, e in zip(dates, ends, strict=True)]
    )

    ordinals = np.array([d.toordinal() for d in dates], dtype=np.int64)
    end_ordinals = np.array([e.toordinal() + 1 for e in ends], dtype=np.int64)
    n_array = np.array(counts, dtype=np.int64)
    cal.add_workdays_bulk(ordinals[:1], n_array[:1])  # build the numpy tables once
    bulk_add_t, bulk_add = best_of(5, lambda: cal.add_workdays_bulk(ordinals, n_array))
    bulk_cnt_t, bulk_cnt = best_of(5, lambda: cal.workdays_between_bulk(ordinals, end_ordinals))

    failures = 0
    if ours_add != base_add:
        failures += sum(a != b for a, b in zip(ours_add, base_add, strict=True))
        print("add_workdays differs from find_workday")
    if ours_cnt != base_cnt:
        failures += sum(a != b for a, b in zip(ours_cnt, base_cnt, strict=True))
        print("workdays_between differs from get_workdays")
    if [dt.date.fromordinal(int(o)) for o in bulk_add] != base_add:
        failures += 1
        print("add_workdays_bulk differs from find_workday")
    if [int(c) for c in bulk_cnt] != base_cnt:
        failures += 1
        print("workdays_between_bulk differs from get_workdays")

    def row(name, base, ours):
        print(
            f"{name:<34} chinesecalendar {base * 1e6 / args.pairs:8.2f} µs/pair   "
            f"ours {ours * 1e6 / args.pairs:7.3f} µs/pair   ratio {base / ours:8.0f}x"
        )

    row("add_workdays (per call)", base_add_t, ours_add_t)
    row("workdays_between (per call)", base_cnt_t, ours_cnt_t)
    row("add_workdays_bulk (numpy)", base_add_t, bulk_add_t)
    row("workdays_between_bulk (numpy)", base_cnt_t, bulk_cnt_t)
    print("results identical" if not failures else f"MISMATCHES: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
