"""A firm-year in simulation: how many promises Expedite keeps, and how early it sees a miss.

A seeded world (benchmarks/simulation/world.py, docs/simulation.md) sends a firm a year of
requests and pushes back on the work (office delays, rejections, clients late with
materials, staff off sick). The product runs the year in the loop on a new embedded
installation, every decision and record through its own services and jobs at the
simulation's instants (product.py). The same year then runs with simple policies in place of
the product's decisions (first come first served, earliest deadline first, no levers) on the
product's own intake, so each ratio comes from one run with the same staff and the same world.

    .venv/bin/python benchmarks/firm_year.py --seed 1            # the whole year: 2,000 cases
    .venv/bin/python benchmarks/firm_year.py --cases 40 --urgent 6 --staff 12   # CI's form

Prints the figures per policy and the goals; writes report.md, one SVG chart per figure and
result.json (the KPI page's simulation tab loads it) under --out.
Goals: >= 99% of promises kept; every miss warned >= 1 working day ahead; fewer misses than
earliest deadline first with the same staff.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.simulation.engine import Staff, run_year  # noqa: E402
from benchmarks.simulation.figures import (  # noqa: E402
    busiest,
    figures,
    goals,
    load_by_role,
    table,
    write_report,
)
from benchmarks.simulation.policies import Replay  # noqa: E402
from benchmarks.simulation.world import Params, draw_requests  # noqa: E402

SIMPLE = ("fcfs", "edf", "edf_rebalanced", "no_levers")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--staff", type=int, default=Params.staff)
    parser.add_argument("--cases", type=int, default=Params.cases)
    parser.add_argument("--urgent", type=int, default=Params.urgent)
    parser.add_argument("--year", type=int, default=Params.year)
    parser.add_argument("--var", default="", help="an empty directory for the installation")
    parser.add_argument("--out", default="var/firm-year", help="where the report goes")
    args = parser.parse_args()
    if not 0 <= args.urgent <= args.cases or args.cases < 1 or args.staff < 6:
        parser.error("need 1+ cases, 0..cases urgent, 6+ staff")
    params = Params(
        year=args.year,
        staff=args.staff,
        cases=args.cases,
        urgent=args.urgent,
        clients=max(8, args.cases // 20),
    )
    var = Path(args.var or tempfile.mkdtemp(prefix="firm-year-"))
    var.mkdir(parents=True, exist_ok=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("EXPEDITE_QUEUE_URL", None)
    os.environ["EXPEDITE_VAR_DIR"] = str(var)
    began = time.perf_counter()
    result = simulate(params, args.seed)
    result["wall_seconds"] = round(time.perf_counter() - began, 1)
    out = Path(args.out)
    write_report(result, out)
    (out / "result.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(table(result))
    print(
        "\nstaff load (effort needed ÷ hours available, by role): "
        + ", ".join(f"{role} {share:.2f}" for role, share in result["load_by_role"].items())
    )
    print()
    for text, ok in goals(result):
        print(f"  {'met    ' if ok else 'NOT met'}  {text}")
    p, edf = result["policies"]["product"], result["policies"]["edf"]
    print(f"\nmisses: Expedite / earliest deadline first = {_ratio(p['misses'], edf['misses'])}")
    print(f"report: {out / 'report.md'}  ({result['wall_seconds']:.0f} s)")
    return 0


def _say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {text}", flush=True)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else ("1.000" if a == b else "inf")


def simulate(params: Params, seed: int) -> dict:
    import time_machine

    start = dt.datetime(params.year - 1, 12, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    traveller = time_machine.travel(start, tick=False)
    coordinates = traveller.start()
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()
    # Each delivery's notice finds no client link to text (the simulated clients have none):
    # a warning per case would bury the figures.
    logging.disable(logging.WARNING)
    from benchmarks.simulation.product import Firm, ProductPolicy, services_with_answers
    from django.core.management import call_command

    from expedite.workdays.selectors import firm_calendar, version_read_once

    call_command("setup", no_demo=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with version_read_once():  # the calendar does not change during the year
        cal = firm_calendar()
        first = dt.datetime.combine(
            cal.next_workday(dt.date(params.year, 1, 1)), dt.time(9), cal.tz
        )
        found = services_with_answers(first)
        answers = {code: facts for code, _std, facts in found}
        requests = draw_requests(params, seed, cal, [(c, s) for c, s, _f in found])
        firm = Firm(params, seed, start, coordinates.move_to)
        staff = Staff(caps=firm.caps, roles=firm.roles, skills=firm.skills)
        product = ProductPolicy(firm, answers, cal, coordinates.move_to, params=params, seed=seed)
        years = {
            "product": run_year(
                product, requests, params=params, seed=seed, cal=cal, staff=staff, say=_say
            )
        }
        warnings, alarms = product.warnings()
        recorded = product.delivered_in_product()
        for name in SIMPLE:
            policy = Replay(name, product.decided, cal, staff)
            years[name] = run_year(policy, requests, params=params, seed=seed, cal=cal, staff=staff)
        pol = {
            name: figures(y, requests, cal)
            if name != "product"
            else figures(y, requests, cal, warnings=warnings, alarms=alarms)
            for name, y in years.items()
        }
        for name, y in years.items():
            pol[name]["busiest_load"] = busiest(y, staff, params)
        load = load_by_role(years["product"], staff, params)
    traveller.stop()
    if product.refused:
        print("refused by the product (counted, the case stays where it got to):")
        for key, count in sorted(product.refused.items(), key=lambda kv: -kv[1]):
            print(f"  {count:5d}  {key}  (first: {product.examples.get(key, '')})")
    delivered = sum(1 for j in years["product"].jobs if j.delivered is not None)
    stuck = {name: y.undelivered for name, y in years.items() if y.undelivered}
    if stuck:
        # A case still open long after the year: the engine, not the firm, is at fault.
        print(f"!! cases never delivered: {stuck}")
        sys.exit(1)
    if product.refused or recorded != delivered:
        # The world and the product disagree: the figures would not be the product's.
        print(f"!! {delivered} cases delivered in the simulation, {recorded} in the product")
        sys.exit(1)
    return {
        "label": "firm-year",
        "seed": seed,
        "year": params.year,
        "ran_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "staff": len(firm.users),
        "requests": len(requests),
        "cases": len(requests),
        "urgent": sum(1 for r in requests if r.urgent),
        "services": len(found),
        "surcharge_reference": 0.20,
        "policies": pol,
        "load_by_role": load,
        "goals": {"kept_share": 0.99, "warned_ahead_days": 1},
    }


if __name__ == "__main__":
    sys.exit(main())
