"""Pages at scale: server time, SQL queries and HTML bytes of each page as the firm grows.

For each size N, a firm of N cases built through the product's services by the seeded scale
generator (`src/expedite/ops/scale.py`: staff and clients in proportion, cases in every state
with their triage, plans, steps, reviews and audit events, laid out at a pinned instant), kept
under `--var` keyed by N, seed, schema, catalog and the generator's source, and reused by later
runs; the same key gives the same firm on SQLite and PostgreSQL (the `firm` digest printed with
each size). Then, in a new process per size, at that pinned instant, each page is requested
with Django's test client in-process, as the supervisor `supervisor001` (the portal as an
anonymous client): one request counting queries and bytes, then `--requests` timed ones
(median and fastest), the sizes taking turns in `--rounds` rounds. The baseline, measured in the same process, is the page shell
(`/account/tokens/`: the nav and the per-request context, no case data). Prints a table per
size, then the growth of each page from the smallest size to each larger one: time, queries
and bytes, and the time growth against the baseline's (what the machine's drift between the
sizes cannot explain).

    .venv/bin/python benchmarks/pages_bench.py [--sizes 1000 10000] [--seed 7] [--requests 20]
        [--rounds 2] [--var var/pages-bench] [--rebuild] [--build-only] [--pg]
    # PostgreSQL: a database per firm on the server DATABASE_URL names (created, kept).
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/expedite .venv/bin/python benchmarks/pages_bench.py --pg
    # The CI form (`make bench-smoke`): two tiny firms, a couple of requests each.
    .venv/bin/python benchmarks/pages_bench.py --sizes 20 40 --requests 2 --rounds 1 \
        --var "$(mktemp -d)" \
        [--migrated DIR]   # start from a copy of this migrated var dir instead of migrating

Building takes about half a minute for 1,000 cases and six minutes for 10,000 on SQLite here
(`--build-only` builds without measuring; `--rebuild` after changing the product's planning or
triage, which the key does not cover). The pages: board `/board/` and its load section
`/board/load/` (everyone's load and who waits, drawn after it), case page `/cases/<pk>/`
and who waits for whom on its team `/cases/<pk>/waits/` (which the page loads once drawn),
schedule `/board/schedule/`, KPI `/kpi/`, queue `/queue/`, case list `/`, portal
`/p/<token>/` and the API list `/api/v1/cases`. A case page depends on its case (its history,
its team's queues): case pages, waits and portal pages are measured on five running cases
spread over the firm, `--requests` shared among them, the queries and bytes their median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The instant every firm is laid out at and every page is drawn at: a Thursday morning, as
# the test suite's default.
NOW = "2026-11-26T10:00:00+08:00"
USER = "supervisor001"
BASELINE = ("shell (baseline)", ["/account/tokens/"])
# Case pages, their waits and portal pages are measured on this many running cases.
SAMPLE = 5
OPEN = ("in_progress", "on_hold", "review", "materials", "accepted")
CATALOG = ROOT / "src/expedite/catalog/services.yaml"
# What a kept firm was made from: the schema and catalog (its base), then the generator's code.
# Other changes to the product (planning, triage) need --rebuild.
SOURCES = sorted((ROOT / "src/expedite/ops").glob("scale*.py"))


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    migrations = sorted(p.name for p in (ROOT / "src/expedite").glob("*/migrations/0*.py"))
    digest.update("\n".join(migrations).encode())
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _key(size: int, seed: int) -> str:
    return f"n{size}-s{seed}-{_digest([CATALOG, *SOURCES])}"


def _now():
    from expedite.domain.calendar import SHANGHAI

    return dt.datetime.fromisoformat(NOW).astimezone(SHANGHAI)


def _env(var: Path, database: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("EXPEDITE_QUEUE_URL",)}
    env["EXPEDITE_VAR_DIR"] = str(var)
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    # Every request comes from 127.0.0.1: the portal's per-address throttle would answer 429.
    env["EXPEDITE_PORTAL_LOOKUPS_PER_MINUTE"] = "1000000"
    return env


def _child(args: list[str], env: dict, *, capture: bool = False) -> str:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return out.stdout or ""


# ---------------------------------------------------------------- where each firm is kept


def _pg_url(base: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _pg(base: str, sql: str, *params):
    import psycopg

    with psycopg.connect(_pg_url(base, "postgres"), autocommit=True) as conn:
        return conn.execute(sql, params or None).fetchall() if params else conn.execute(sql)


def ensure_firm(size: int, args) -> tuple[Path, str | None]:
    """The var dir and database URL of the firm of `size` cases, built when missing."""
    key = _key(size, args.seed)
    var = Path(args.var).resolve()
    if args.pg:
        base = os.environ.get("DATABASE_URL", "")
        if not base.startswith("postgres"):
            sys.exit("--pg needs DATABASE_URL=postgres://…")
        name = "pages_" + key.replace("-", "_")
        home = var / f"{key}-pg"
        exists = _pg(base, "SELECT 1 FROM pg_database WHERE datname = %s", name)
        if exists and home.exists() and not args.rebuild:
            return home, _pg_url(base, name)
        _pg(base, f'DROP DATABASE IF EXISTS "{name}"')
        _pg(base, f'DROP DATABASE IF EXISTS "{name}_tmp"')
        _pg(base, f'CREATE DATABASE "{name}_tmp"')
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        _build(size, args, home, _pg_url(base, f"{name}_tmp"))
        _pg(base, f'ALTER DATABASE "{name}_tmp" RENAME TO "{name}"')
        return home, _pg_url(base, name)
    home = var / key
    if (home / "expedite.sqlite3").exists() and not args.rebuild:
        return home, None
    work = var / f"{key}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    # A migrated database with the catalog, made once and copied: migrating takes a while.
    base = var / f"base-{_digest([CATALOG])}"
    if not base.exists():
        making = var / f"{base.name}.tmp"
        shutil.rmtree(making, ignore_errors=True)
        if args.migrated:
            shutil.copytree(args.migrated, making)
        else:
            making.mkdir(parents=True)
        _child(["--setup"], _env(making, None))
        making.rename(base)
    shutil.copytree(base, work)
    _build(size, args, work, None)
    shutil.rmtree(home, ignore_errors=True)
    work.rename(home)
    return home, None


def _build(size: int, args, var: Path, database: str | None) -> None:
    print(f"== building a firm of {size} cases (seed {args.seed}) in {database or var}")
    env = _env(var, database)
    if database:
        _child(["--setup"], env)
    _child(["--build", str(size), "--seed", str(args.seed)], env)


# ---------------------------------------------------------------- inside a child process


def _django(*, tick: bool):
    """Django set up on a clock pinned at NOW (ticking on from there, or standing still)."""
    import time_machine

    traveller = time_machine.travel(_now(), tick=tick)
    coordinates = traveller.start()
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()
    return coordinates


def child_setup() -> None:
    """`expedite setup --no-demo` (migrate, catalog, signing certificate) before the firm
    starts, so the chain's first events come first in time too."""
    coordinates = _django(tick=False)
    coordinates.move_to(_now() - dt.timedelta(days=401))
    from django.core.management import call_command

    call_command("setup", no_demo=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def child_build(size: int, seed: int) -> None:
    coordinates = _django(tick=False)
    from expedite.audit.verify import verify
    from expedite.ops.scale import scale_load

    start = time.perf_counter()
    states = scale_load(
        cases=size,
        seed=seed,
        now=_now(),
        move_clock=coordinates.move_to,
        progress=lambda text: print(f"  {text}", flush=True),
    )
    took = time.perf_counter() - start
    print("  states: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    start = time.perf_counter()
    report = verify()
    print(
        f"  built in {took:.0f} s ({took / size * 1000:.1f} ms a case); audit chain of "
        f"{report.events} events verified in {time.perf_counter() - start:.1f} s: "
        f"{'ok' if report.ok else 'BROKEN'}"
    )
    if not report.ok:
        sys.exit(1)


def _measure(client, urls: list[str], n: int) -> dict:
    """For each URL, the queries and bytes of one request, then `n` timed ones (ms): all the
    times, and the median queries and bytes over the URLs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts, sizes = [], [], []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(queries))
        sizes.append(len(response.content))
        for _ in range(n):
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
    return {
        "times": [t * 1000 for t in times],
        "queries": round(statistics.median(counts)),
        "bytes": round(statistics.median(sizes)),
    }


def child_measure(requests: int) -> None:
    _django(tick=True)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from expedite.cases.models import Case
    from expedite.portal.links import portal_path

    # Case pages differ with their case (its history, its team's queues): a sample of running
    # cases spread over the firm, the same share of it at every size.
    running = list(
        Case.objects.filter(state="in_progress").annotate(n=Count("audit_events")).order_by("pk")
    ) or list(Case.objects.filter(state__in=OPEN).annotate(n=Count("audit_events")).order_by("pk"))
    sample = [running[i * len(running) // SAMPLE] for i in range(min(SAMPLE, len(running)))]
    per_case = max(1, requests // len(sample))
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(get_user_model().objects.get(username=USER))
    anonymous = Client(HTTP_HOST="127.0.0.1")
    pages = [
        (*BASELINE, staff),
        ("board", ["/board/"], staff),
        ("board: load", ["/board/load/"], staff),
        ("case page", [f"/cases/{c.pk}/" for c in sample], staff),
        # Who waits for whom on the case's team, which the page loads right after itself.
        ("case: waits", [f"/cases/{c.pk}/waits/" for c in sample], staff),
        ("schedule", ["/board/schedule/"], staff),
        ("KPI", ["/kpi/"], staff),
        ("queue", ["/queue/"], staff),
        ("case list", ["/"], staff),
        ("portal", [portal_path(c) for c in sample], anonymous),
        ("API list", ["/api/v1/cases"], staff),
    ]
    # The same N and seed make the same firm on either database: compare this.
    rows = Case.objects.order_by("pk").values_list(
        "reference", "state", "verdict", "service__code", "client__uscc", "requested_deadline"
    )
    firm = hashlib.sha256(json.dumps(list(rows), default=str).encode()).hexdigest()[:12]
    steps = sorted(c.steps.count() for c in sample)
    result = {
        "firm": firm,
        "cases": Case.objects.count(),
        "vendor": connection.vendor,
        "case": (
            f"{len(sample)} running cases, {min(c.n for c in sample)}-{max(c.n for c in sample)}"
            f" events, {steps[0]}-{steps[-1]} steps"
        ),
        "pages": {},
    }
    for name, urls, client in pages:
        n = per_case if len(urls) > 1 else requests
        result["pages"][name] = _measure(client, urls, n)
    print(json.dumps(result))


# ---------------------------------------------------------------- the run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="turns the sizes take")
    parser.add_argument("--var", default=str(ROOT / "var" / "pages-bench"))
    parser.add_argument("--pg", action="store_true", help="PostgreSQL at DATABASE_URL")
    parser.add_argument("--rebuild", action="store_true", help="build even if kept")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--migrated", default="", help="a migrated var dir to start from (SQLite)")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        child_setup()
        return 0
    if args.build is not None:
        child_build(args.build, args.seed)
        return 0
    if args.measure:
        child_measure(args.requests)
        return 0

    firms = {size: ensure_firm(size, args) for size in args.sizes}
    if args.build_only:
        return 0
    # The sizes take turns, `--rounds` times, each round a new process with its share of the
    # requests: a machine busier during one size's turn slows every size, not that one.
    results: dict[int, dict] = {}
    share = max(1, args.requests // args.rounds)
    for _round in range(args.rounds):
        for size, (var, database) in firms.items():
            out = _child(["--measure", "--requests", str(share)], _env(var, database), capture=True)
            found = json.loads(out.strip().splitlines()[-1])
            kept = results.setdefault(size, found)
            if kept is not found:
                for name, page in found["pages"].items():
                    kept["pages"][name]["times"] += page["times"]
    for r in results.values():
        for page in r["pages"].values():
            page["ms"], page["fastest"] = statistics.median(page["times"]), min(page["times"])
    report(results, args)
    return 0


def report(results: dict, args) -> None:
    first = min(results)
    vendor = results[first]["vendor"]
    print(
        f"\n{vendor}, {args.requests} requests per page in {args.rounds} rounds, "
        f"seed {args.seed}, at {NOW}"
    )
    for r in results.values():
        print(f"\n{r['cases']} cases (firm {r['firm']}); case pages: {r['case']}")
        print(f"  {'page':<18}{'median ms':>10}{'fastest':>9}{'queries':>9}{'KB':>8}{'x shell':>9}")
        base = r["pages"][BASELINE[0]]["ms"]
        for name, p in r["pages"].items():
            print(
                f"  {name:<18}{p['ms']:>10.1f}{p['fastest']:>9.1f}{p['queries']:>9}"
                f"{p['bytes'] / 1024:>8.0f}{p['ms'] / base:>9.2f}"
            )
    for size in sorted(results)[1:]:
        a, b = results[first], results[size]
        print(f"\ngrowth {b['cases']} / {a['cases']} cases (x{b['cases'] / a['cases']:.0f}):")
        print(f"  {'page':<18}{'time':>8}{'vs shell':>10}{'queries':>9}{'bytes':>8}")
        shell = b["pages"][BASELINE[0]]["ms"] / a["pages"][BASELINE[0]]["ms"]
        for name in a["pages"]:
            pa, pb = a["pages"][name], b["pages"][name]
            grow = pb["ms"] / pa["ms"]
            print(
                f"  {name:<18}{grow:>8.2f}{grow / shell:>10.2f}"
                f"{pb['queries'] / max(pa['queries'], 1):>9.2f}{pb['bytes'] / pa['bytes']:>8.2f}"
            )


if __name__ == "__main__":
    sys.exit(main())
