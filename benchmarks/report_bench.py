"""Daily reports: draft today's report for N active cases, per case and per worker.

Runs on the database DATABASE_URL names (a fresh SQLite file under a temporary directory by
default), after migrating it and adding N running cases (4 steps on 2 tracks each) once.
Prints the time per case of the scheduler's batch path (`reports_draft`), and its ratio
against a baseline measured in the same run: drafting one case per call, in a loop. On
PostgreSQL it also runs two worker processes at once, each drafting its half of the cases
(`shard`), and prints the speed-up from one worker to two.

    .venv/bin/python benchmarks/report_bench.py [--cases 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/expedite_bench .venv/bin/python benchmarks/report_bench.py
Target: < 5 ms per case per worker; near-linear scaling to two workers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time

SHANGHAI_OFFSET = dt.timezone(dt.timedelta(hours=8))


def _setup() -> None:
    os.environ.setdefault("EXPEDITE_VAR_DIR", tempfile.mkdtemp(prefix="report-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()


def _seed(n: int, day: dt.date) -> None:
    from expedite.cases.models import Case, Client, ServiceType
    from expedite.cases.services import catalog_sync
    from expedite.catalog import default_catalog_text, load_default_catalog
    from expedite.domain.identifiers import uscc_check_character
    from expedite.work.models import StepRun, Track

    have = Case.objects.filter(reference__startswith="RB-").count()
    if have >= n:
        return
    if not ServiceType.objects.exists():
        catalog_sync(catalog=load_default_catalog(), text=default_catalog_text(), source="bench")
    service = ServiceType.objects.get(code="foreign-equity-change")
    clients = []
    for i in range(100):
        first17 = f"91310115MA{i:07d}"
        client, _ = Client.objects.get_or_create(
            uscc=first17 + uscc_check_character(first17), defaults={"name": f"基准客户{i}"}
        )
        clients.append(client)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI_OFFSET)
    hour = 3_600_000_000
    for lo in range(have, n, 1000):
        cases = Case.objects.bulk_create(
            Case(
                reference=f"RB-{i:06d}",
                client=clients[i % 100],
                service=service,
                requested_deadline=day + dt.timedelta(days=40),
                reason="基准",
                state="in_progress",
            )
            for i in range(lo, min(n, lo + 1000))
        )
        tracks = Track.objects.bulk_create(
            Track(case=c, name=name, position=p, status="active", updated_at=start, note="已递交")
            for c in cases
            for p, name in enumerate(("本所", "商务局"))
        )
        runs = []
        for k, c in enumerate(cases):
            own, dept = tracks[2 * k], tracks[2 * k + 1]
            for p, (code, track, deps, done) in enumerate(
                (
                    ("prepare", own, [], True),
                    ("commerce", dept, ["prepare"], False),
                    ("market", dept, ["commerce"], False),
                    ("wrap-up", own, ["market"], False),
                )
            ):
                t0 = start + dt.timedelta(days=p)
                runs.append(
                    StepRun(
                        case=c,
                        track=track,
                        code=code,
                        name=code,
                        role="process",
                        position=p,
                        depends_on=deps,
                        duration_us=7 * hour,
                        planned_start=t0,
                        planned_finish=t0 + dt.timedelta(hours=8),
                        started_at=start if p < 2 else None,
                        finished_at=start + dt.timedelta(hours=5) if done else None,
                    )
                )
        StepRun.objects.bulk_create(runs)


def _worker(index: int, count: int, now: str) -> None:
    _setup()
    from expedite.monitoring.reports import reports_draft

    reports_draft(now=dt.datetime.fromisoformat(now), shard=(index, count))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=200)
    parser.add_argument("--worker", default="")  # internal: "index/count/now"
    args = parser.parse_args()
    if args.worker:
        index, count, now = args.worker.split("/", 2)
        _worker(int(index), int(count), now)
        return 0
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from expedite.cases.models import Case
    from expedite.monitoring.models import DailyReport
    from expedite.monitoring.reports import reports_draft
    from expedite.workdays.selectors import firm_calendar

    call_command("migrate", verbosity=0)
    cal = firm_calendar()
    day = cal.add_workdays(dt.date.today(), 1)
    now = dt.datetime.combine(day, dt.time(16, 30), tzinfo=SHANGHAI_OFFSET)
    t = time.perf_counter()
    _seed(args.cases, day)
    print(f"{connection.vendor}: {args.cases} cases ready in {time.perf_counter() - t:.1f} s")
    ids = list(
        Case.objects.filter(reference__startswith="RB-").order_by("pk").values_list("pk", flat=True)
    )[: args.cases]

    DailyReport.objects.all().delete()
    sample = ids[: args.baseline]
    t = time.perf_counter()
    for pk in sample:
        reports_draft(now=now, case_ids=[pk])
    baseline = (time.perf_counter() - t) / len(sample)
    DailyReport.objects.all().delete()

    t = time.perf_counter()
    written = reports_draft(now=now, case_ids=ids)
    one = time.perf_counter() - t
    per_case = one / len(ids)
    assert written == len(ids), written
    print(f"baseline (one case per call): {baseline * 1000:.2f} ms per case")
    print(
        f"batch, one worker: {per_case * 1000:.2f} ms per case "
        f"({one:.1f} s for {len(ids)}); {baseline / per_case:.1f}x the baseline; "
        f"target < 5 ms: {'met' if per_case < 0.005 else 'MISSED'}"
    )
    if connection.vendor == "postgresql":
        DailyReport.objects.all().delete()
        connection.close()
        t = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", f"{i}/2/{now.isoformat()}"],
                env=os.environ.copy(),
            )
            for i in range(2)
        ]
        for p in procs:
            p.wait()
        two = time.perf_counter() - t
        reports = DailyReport.objects.filter(date=day).count()
        # Worker processes pay Django's start-up too; it is small next to 10,000 cases.
        print(
            f"two workers: {two:.1f} s wall, {two / (len(ids) / 2) * 1000:.2f} ms per case per "
            f"worker; speed-up {one / two:.2f}x (2.0 is linear); {reports} reports, one per case"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
