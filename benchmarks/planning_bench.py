"""Planner speed: `plan` over 10,000 cases of the default catalog; `options` for a 25-step
service with 8 levers. Each against a straightforward baseline run in the same process:

- plan: the same critical-path pass, but adding each step's duration with
  `WorkCalendar.add_working_time` on datetimes (no working-time axis); finishes must match;
- options: every lever subset planned in full with `plan()` and the cheapest fitting one
  taken (no early exit, no pruning); the chosen lever set must match.

    .venv/bin/python benchmarks/planning_bench.py [--cases 10000] [--seed 7]
Targets: plan under 1 ms per case, options under 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import sys
import time

from expedite.catalog import load_default_catalog
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.catalog import parse_catalog
from expedite.domain.planning import PlanFacts, _price, options, plan


def naive_finish(service, start, cal) -> dt.datetime:
    """The standard plan's finish, step by step on datetimes (no working-time axis)."""
    finish: dict[str, dt.datetime] = {}
    day = cal.hours.day_length
    pending = list(service.steps)
    while pending:
        for s in list(pending):
            if all(d in finish for d in s.depends_on):
                begin = max((finish[d] for d in s.depends_on), default=start)
                finish[s.code] = cal.add_working_time(begin, s.duration.to_timedelta(day))
                pending.remove(s)
    return max(finish.values())


def _plain(step) -> bool:
    return not (step.when or step.duration.is_calendar or step.windows)


def big_service_yaml() -> str:
    """25 steps in five tracks of five, chained, with 8 levers of every kind."""
    steps, levers = [], []
    for t in range(5):
        for i in range(5):
            code = f"s{t}{i}"
            deps = [f"s{t}{i - 1}"] if i else ([f"s{t - 1}4"] if t else [])
            steps.append(
                f"      - {{code: {code}, name: 步骤{t}{i}, duration: {{workdays: {1 + (t + i) % 3}}}, "
                f"role: process, skill: 税务, track: 部门{t}, depends_on: [{', '.join(deps)}]}}"
            )
    for t in range(1, 5):
        levers.append(
            f"      - {{code: par{t}, name: 并行{t}, kind: parallel, step: s{t}0, stop_waiting_for: s{t - 1}4, "
            f"reason: 并行, cost: {{cny: {300 * t}}}}}"
        )
    levers += [
        "      - {code: comp1, name: 压缩1, kind: compress, step: s02, to: {hours: 2}, reason: 压缩, cost: {cny: 200}}",
        "      - {code: comp2, name: 压缩2, kind: compress, step: s22, to: {hours: 3}, reason: 压缩, cost: {cny: 250}}",
        "      - {code: skip1, name: 跳过, kind: skip, steps: [s31, s32], reason: 跳过, cost: {cny: 900}, risk: medium}",
        "      - {code: rem1, name: 远程, kind: remote, step: s41, to: {hours: 4}, reason: 远程, cost: {cny: 150}}",
    ]
    return (
        "skills: [税务]\nservices:\n  - code: big\n    name_zh: 大\n    name_en: Big\n    category: tax\n"
        "    base_fee: 10000\n    surcharge: {percent: 20, minimum: 500}\n"
        # Every service carries the review checklist its result is checked against.
        "    checklist: [结果与申请一致]\n    steps:\n"
        + "\n".join(steps)
        + "\n    levers:\n"
        + "\n".join(levers)
        + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cal = WorkCalendar(statutory_arrangements())
    catalog = load_default_catalog()
    facts = PlanFacts(preconditions=frozenset(c for c, _ in catalog.preconditions))
    lo, hi = dt.date(2024, 1, 1).toordinal(), dt.date(2026, 6, 30).toordinal()
    cases = []
    for _ in range(args.cases):
        service = rng.choice(catalog.services)
        codes = [lv.code for lv in service.levers]
        chosen = [c for c in codes if rng.random() < 0.5]
        day = dt.date.fromordinal(rng.randint(lo, hi))
        start = dt.datetime.combine(
            day, dt.time(rng.randint(9, 17), rng.choice((0, 30))), tzinfo=SHANGHAI
        )
        cases.append((service, start, chosen))

    t0 = time.perf_counter()
    plans = [plan(s, start, cal, chosen, facts) for s, start, chosen in cases]
    ours = time.perf_counter() - t0
    # The baseline computes only the standard plan's finish (no levers, no backward pass,
    # no critical path), so it is compared with our standard plans of the same cases: those
    # of services in working time alone (no conditional steps, no authority's calendar time,
    # no application windows, which it does not model).
    plain = [(s, start) for s, start, _chosen in cases if all(_plain(x) for x in s.steps)]
    t0 = time.perf_counter()
    ours_standard = [plan(s, start, cal) for s, start in plain]
    ours_std_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = [naive_finish(s, start, cal) for s, start in plain]
    base = time.perf_counter() - t0
    mismatches = sum(p.finish != n for p, n in zip(ours_standard, naive, strict=True))
    mismatches += sum(not cal.is_workday(p.finish_date) for p in plans)
    print(
        f"plan: {args.cases} cases with random levers, {ours / args.cases * 1e3:.3f} ms per case; "
        f"standard plans {ours_std_time / len(plain) * 1e3:.3f} ms vs baseline "
        f"{base / len(plain) * 1e3:.3f} ms (forward pass on datetimes only), "
        f"ratio {base / ours_std_time:.2f}x; finishes differing: {mismatches}"
    )

    big = parse_catalog(big_service_yaml(), source="bench").get("big")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    deadline = cal.add_workdays(start.date(), 30)
    runs = 20
    t0 = time.perf_counter()
    for _ in range(runs):
        result = options(big, start, cal, deadline=deadline)
    per_options = (time.perf_counter() - t0) / runs

    def exhaustive():
        limit_finish = None
        best = None
        for r in range(len(big.levers) + 1):
            for subset in itertools.combinations(big.levers, r):
                p = plan(big, start, cal, [lv.code for lv in subset])
                if limit_finish is None:
                    limit_finish = dt.datetime.combine(deadline, dt.time(18), tzinfo=SHANGHAI)
                if p.finish <= limit_finish and (best is None or _price(big, subset) < best[0]):
                    best = (_price(big, subset), p)
        return best[1] if best else None

    t0 = time.perf_counter()
    baseline_choice = exhaustive()
    per_baseline = time.perf_counter() - t0
    ours_levers = set(result.recommended.plan.levers) if result.recommended else None
    base_levers = set(baseline_choice.levers) if baseline_choice else None
    print(
        f"options: 25 steps, {len(big.levers)} levers, {per_options * 1e3:.2f} ms per call "
        f"(baseline {per_baseline * 1e3:.2f} ms, ratio {per_baseline / per_options:.1f}x); "
        f"standard {result.standard.plan.working_days} WD, recommended "
        f"{result.recommended.plan.working_days if result.recommended else '-'} WD, "
        f"fastest {result.fastest.plan.working_days} WD; same choice as baseline: {ours_levers == base_levers}"
    )
    ok = mismatches == 0 and ours_levers == base_levers
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
