"""Load: clients, staff and writes against the real `expedite serve`, against a bare Django view.

Sets up a new installation with the demo (`expedite setup`) in a temporary var dir, serves it
with `expedite serve` (web and, embedded, the worker), and loads it with locust, headless and
bounded in time: 50% clients opening their portal links, 35% staff reading (log in, case list
and search, case pages, board, schedule, KPI), 15% staff opening cases (page form with CSRF,
or the API with a token). Then it stops the server and checks that every acknowledged write
(each case the form or the API answered as created) is stored with its reason and its audit
event, and that `expedite audit verify` passes; it exits 1 when either fails.

The baseline, measured in the same run with the same users: a bare Django view (no
middleware, no database, benchmarks/load_baseline.py) served by gunicorn with the flags the
serve command uses. Printed for both: requests/s, p50/p95 latency, failures, and the ratio.

With DATABASE_URL (PostgreSQL) set, the installation goes into a database of its own
(--database, created, then dropped); with EXPEDITE_QUEUE_URL (Redis), into a queue of its own
name, with a worker (`serve --with-worker`), as at scale.

    .venv/bin/python benchmarks/load.py [--users 100] [--run-time 60s]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/expedite \
    EXPEDITE_QUEUE_URL=redis://127.0.0.1:6379/15 .venv/bin/python benchmarks/load.py

`--var-from DIR` starts from a copy of an installation's var dir (SQLite; set up, demo loaded)
instead of a new `expedite setup`: the CI smoke run (`make bench-smoke`) reuses one for every
benchmark that needs the demo.

Figures to beat (100 users): SQLite 35 req/s with p95 3.4 s; PostgreSQL 41 req/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from itertools import zip_longest
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "load_locustfile.py"
# Every client of the portal comes from 127.0.0.1 here; the per-address throttle (30 lookups a
# minute) would answer most of them 429, and staff logging in at once would hold more than the
# address's 50 log-in tries. The throttles have their own tests.
UNTHROTTLED = {
    "EXPEDITE_PORTAL_LOOKUPS_PER_MINUTE": "1000000",
    "EXPEDITE_LOGIN_TRIES_PER_ADDRESS": "1000000",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}; see {log}")
        if _status(url) == 200:
            return
        time.sleep(0.5)
    sys.exit(f"server did not answer {url} within 120 s; see {log}")


def _stop(proc: subprocess.Popen, sig: int) -> None:
    """The signal to the whole process group (what Ctrl-C does), then wait."""
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def _expedite(env: dict, *args: str, log: Path) -> subprocess.CompletedProcess:
    with log.open("a") as out:
        return subprocess.run(
            [sys.executable, "-m", "expedite", *args], env=env, stdout=out, stderr=out, check=False
        )


def _inside(env: dict, step: str, path: Path, log: Path) -> None:
    """Run a step of this script in Django, with the server's environment."""
    with log.open("a") as out:
        done = subprocess.run(
            [sys.executable, __file__, "--inside", step, str(path)],
            env=env,
            stdout=out,
            stderr=out,
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"{step} failed; see {log}")


def _gunicorn_baseline(bind: str, *, embedded: bool) -> list[str]:
    # The flags of src/expedite/ops/management/commands/serve.py, with the same defaults.
    cores = os.cpu_count() or 1  # serve.default_web_workers, without loading Django here
    workers = int(
        os.environ.get("WEB_CONCURRENCY") or (min(2, cores) if embedded else 2 * cores + 1)
    )
    return [
        sys.executable, "-m", "gunicorn", "load_baseline:application",
        "--pythonpath", str(HERE),
        "--bind", bind,
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", os.environ.get("WEB_THREADS", "4"),
        "--access-logfile", "-",
        "--graceful-timeout", "10",
    ]  # fmt: skip


def run_locust(args, host: str, users: list[str], env: dict, prefix: Path) -> dict:
    results = Path(f"{prefix}_results.json")
    cmd = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", args.run_time, "--host", host,
        "--only-summary", "--loglevel", "WARNING", *users,
    ]  # fmt: skip
    with prefix.with_suffix(".log").open("w") as out:
        subprocess.run(
            cmd, env={**env, "LOAD_STATS": str(results)}, stdout=out, stderr=out, check=False
        )
    if not results.exists():
        sys.exit(f"locust did not run; see {prefix.with_suffix('.log')}")
    return json.loads(results.read_text())


def _line(label: str, f: dict) -> str:
    return (
        f"{label:<32} {f['requests']:>7} req {f['rps']:>8.1f} req/s"
        f"  p50 {f['p50']:>6.0f} ms  p95 {f['p95']:>6.0f} ms  failures {f['failures']}"
    )


def report(app: dict, base: dict | None) -> None:
    print("\nper request (Expedite):")
    for name, figures in app["rows"].items():
        print("  " + _line(name, figures))
    for name, error, n in app["errors"][:10]:
        print(f"  failure x{n}: {name}: {error[:120]}")
    print()
    print(_line("Expedite (mix)", app["total"]))
    if base is None:
        return
    print(_line("baseline (bare Django view)", base["total"]))
    for name, error, n in base["errors"][:5]:
        print(f"  baseline failure x{n}: {name}: {error[:120]}")
    a, b = app["total"], base["total"]
    if b["rps"]:
        print(f"throughput Expedite / baseline: {a['rps'] / b['rps']:.3f}")
    if b["p95"]:
        print(f"p95 latency Expedite / baseline: {a['p95'] / b['p95']:.1f}x")


def _database_url(args) -> tuple[str | None, Callable[[], None]]:
    """A database of its own on the server DATABASE_URL names, and how to drop it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None, lambda: None
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    name = args.database

    def execute(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), lambda: execute(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--run-time", default="60s", help="locust's --run-time, per phase")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--think", type=float, default=0, help="max seconds between requests")
    parser.add_argument("--database", default="expedite_load", help="PostgreSQL only")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (kept on failure)")
    parser.add_argument("--var-from", default="", help="start from a copy of this var dir")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="expedite-load-"))
    log = work / "server.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "EXPEDITE_VAR_DIR", "DJANGO_SETTINGS_MODULE")
        and not k.startswith("EXPEDITE_QUEUE_")
    }
    env.update(UNTHROTTLED, EXPEDITE_VAR_DIR=str(work / "var"), PYTHONUNBUFFERED="1")
    database, drop_database = _database_url(args)
    if database:
        env["DATABASE_URL"] = database
    queue = os.environ.get("EXPEDITE_QUEUE_URL", "")
    if queue:
        env["EXPEDITE_QUEUE_URL"] = queue
        env["EXPEDITE_QUEUE_NAME"] = f"expedite-load-{os.getpid()}"
    embedded = not database and not queue.startswith("redis")
    print(
        f"database: {'postgresql ' + args.database if database else 'sqlite'}, "
        f"queue: {'redis' if queue.startswith('redis') else 'sqlite'}; "
        f"{args.users} users for {args.run_time} per phase; work dir {work}"
    )
    code = 1
    try:
        code = _run(args, env, work, log, embedded=embedded)
    finally:
        drop_database()
        if code == 0 and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:  # the logs say what went wrong
            print(f"kept {work}")
    return code


def _run(args, env: dict, work: Path, log: Path, *, embedded: bool) -> int:
    if args.var_from:  # an installation already set up
        shutil.copytree(args.var_from, work / "var")
    elif _expedite(env, "setup", log=log).returncode != 0:
        sys.exit(f"expedite setup failed; see {log}")
    fixtures, acks = work / "fixtures.json", work / "acks.jsonl"
    _inside(env, "prepare", fixtures, log)
    load_env = {**os.environ, "LOAD_FIXTURES": str(fixtures), "LOAD_ACKS": str(acks)}
    load_env["LOAD_THINK"] = str(args.think)

    base = None
    if not args.no_baseline:
        port = _free_port()
        with (work / "baseline.log").open("w") as out:
            proc = subprocess.Popen(
                _gunicorn_baseline(f"127.0.0.1:{port}", embedded=embedded),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/", proc, work / "baseline.log")
            base = run_locust(
                args, f"http://127.0.0.1:{port}", ["BareUser"], load_env, work / "base"
            )
        finally:
            _stop(proc, signal.SIGTERM)

    port = _free_port()
    serve = ["serve", "--bind", f"127.0.0.1:{port}"] + ([] if embedded else ["--with-worker"])
    with log.open("a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "expedite", *serve],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", proc, log)
        users = ["ClientUser", "StaffReader", "StaffWriter"]
        app = run_locust(args, f"http://127.0.0.1:{port}", users, load_env, work / "app")
    finally:
        _stop(proc, signal.SIGINT)
    report(app, base)

    ok = True
    if not acks.exists():
        acks.touch()
    _inside(env, "check", acks, log)
    checked = json.loads((work / "acks.jsonl.result").read_text())
    print(
        f"\nacknowledged writes: {checked['acknowledged']} "
        f"({checked['form']} by form, {checked['api']} by API); stored with their audit event: "
        f"{checked['stored']}"
    )
    for problem in checked["problems"][:10]:
        print(f"  LOST: {problem}")
    if checked["problems"] or not checked["acknowledged"]:
        ok = False
    verify = _expedite(env, "audit", "verify", log=work / "verify.log")
    lines = (work / "verify.log").read_text().strip().splitlines()
    print(f"expedite audit verify: exit {verify.returncode}: {lines[0] if lines else ''}")
    if verify.returncode != 0:
        print("\n".join(lines[1:10]))
        ok = False
    if not embedded:
        _inside(env, "flush-queue", acks, log)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


# Steps run inside Django, in a child process with the server's environment.


def prepare(path: Path) -> None:
    """Portal links, case and client ids, the demo logins, an API token per writer."""
    from django.contrib.auth import get_user_model

    from expedite import clock
    from expedite.accounts.selectors import user_can
    from expedite.accounts.services import api_token_create
    from expedite.cases.models import Case, Client, ServiceType
    from expedite.domain.roles import Capability, Role
    from expedite.ops.demo import DEMO_PASSWORD, DEMO_USERS
    from expedite.portal.links import portal_path

    users = get_user_model().objects
    cases = list(Case.objects.order_by("pk"))
    staff, writers = [], []
    for spec in DEMO_USERS:
        if spec.role == Role.ADMIN:  # runs the system, not cases
            continue
        user = users.get(username=spec.username)
        staff.append({"username": user.username, "kpi": user_can(user, Capability.VIEW_KPI)})
        if user_can(user, Capability.CREATE_CASE):
            _token, raw = api_token_create(user=user, name="load benchmark")
            writers.append({"username": user.username, "token": raw})
    # Those who see the KPI among the first, so that a small run opens the dashboard too.
    kpi = [s for s in staff if s["kpi"]]
    others = [s for s in staff if not s["kpi"]]
    staff = [s for pair in zip_longest(kpi, others) for s in pair if s]
    fixtures = {
        "portal": [p for c in cases if (p := portal_path(c))],
        "cases": [c.pk for c in cases],
        "clients": list(Client.objects.values_list("pk", flat=True)),
        "services": list(ServiceType.objects.filter(active=True).values_list("code", flat=True)),
        "staff": staff,
        "writers": writers,
        "password": DEMO_PASSWORD,
        "deadline": (clock.today() + dt.timedelta(days=30)).isoformat(),
    }
    path.write_text(json.dumps(fixtures, ensure_ascii=False), encoding="utf-8")


def check(path: Path) -> None:
    """Every acknowledged case is stored with the reason it was sent with, and audited."""
    from expedite.audit.models import AuditEvent
    from expedite.cases.models import Case
    from expedite.domain.audit import AuditKind

    acks = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    ids = [a["id"] for a in acks]
    stored = dict(Case.objects.filter(pk__in=ids).values_list("pk", "reason"))
    audited = set(
        AuditEvent.objects.filter(kind=AuditKind.CASE_CREATED, case_id__in=ids).values_list(
            "case_id", flat=True
        )
    )
    problems = []
    for a in acks:
        if stored.get(a["id"]) != a["reason"]:
            problems.append(f"case {a['id']} ({a['via']}) not stored as acknowledged")
        elif a["id"] not in audited:
            problems.append(f"case {a['id']} ({a['via']}) stored without its audit event")
    result = {
        "acknowledged": len(acks),
        "form": sum(a["via"] == "form" for a in acks),
        "api": sum(a["via"] == "api" for a in acks),
        "stored": len(acks) - len(problems),
        "problems": problems,
    }
    Path(f"{path}.result").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def flush_queue() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.flush()  # this run's queue name only


def inside(step: str, path: Path) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()
    {"prepare": prepare, "check": check, "flush-queue": lambda _p: flush_queue()}[step](path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--inside":
        sys.exit(inside(sys.argv[2], Path(sys.argv[3])))
    sys.exit(main())
