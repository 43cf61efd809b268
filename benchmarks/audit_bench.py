"""Audit chain: append N events, then verify them, against raw SHA-256 over the same bytes.

Runs on the database DATABASE_URL names (a fresh SQLite file under a temporary directory by
default), after migrating it. Prints events per second for appending (one transaction per
event, as the services do) and for `expedite audit verify`'s chain walk, and the ratio of the
verify rate to hashlib.sha256 over the same canonical bytes (each event's stored bytes),
measured in the same run, and how much of verify the check of the columns against the bytes
takes.

    .venv/bin/python benchmarks/audit_bench.py [--events 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/expedite_bench .venv/bin/python benchmarks/audit_bench.py
Targets: verify at >= 0.5 of raw hashing; append >= 2,000 events/s on SQLite from one process.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="audit-bench-")
    os.environ.setdefault("EXPEDITE_VAR_DIR", tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from expedite.audit.agreement import disagreeing
    from expedite.audit.models import AuditEvent
    from expedite.audit.services import audit_record
    from expedite.audit.verify import verify
    from expedite.domain.audit import AuditKind

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # start from an empty chain
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("TRUNCATE audit_auditevent, audit_audithead")
            cursor.execute("SET session_replication_role = DEFAULT")
    payload = {"reason": "项目验收需要施工许可证，逾期按合同承担违约金。", "n": 0}
    start = time.perf_counter()
    for i in range(args.events):
        with transaction.atomic():
            audit_record(kind=AuditKind.DEMO_LOADED, payload={**payload, "n": i})
    append = time.perf_counter() - start

    start = time.perf_counter()
    report = verify()
    verify_time = time.perf_counter() - start
    assert report.ok and report.events == args.events, report.as_dict()

    # The floor under any verify that reads the rows: fetching them, with nothing else done.
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, time, actor_kind, actor, kind, case_id, payload, prev_hash, hash "
            "FROM audit_auditevent ORDER BY seq"
        )
        while cursor.fetchmany(5000):
            pass
    read_only = time.perf_counter() - start

    start = time.perf_counter()
    assert not disagreeing()
    columns = time.perf_counter() - start

    rows = [
        text.encode()
        for text in AuditEvent.objects.order_by("seq").values_list("canonical", flat=True)
    ]
    start = time.perf_counter()
    for data in rows:
        hashlib.sha256(data).hexdigest()
    raw = time.perf_counter() - start

    n = args.events
    print(f"database: {connection.vendor}, events: {n}")
    print(f"append: {n / append:,.0f} events/s (one transaction each)")
    print(f"verify: {n / verify_time:,.0f} events/s (stored bytes hashed, columns checked)")
    print(f"of which the columns against the bytes: {columns / verify_time:.0%}")
    print(f"raw sha256 over the same bytes: {n / raw:,.0f} events/s")
    print(f"verify / raw hashing: {raw / verify_time:.3f}")
    print(
        f"reading the rows alone: {n / read_only:,.0f} events/s = {raw / read_only:.3f} of raw hashing"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
