from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

from .models import WorkerHeartbeat


def health(*, now: dt.datetime) -> dict[str, Any]:
    """Database, queue and worker status.

    `ok` is false when the database or the queue does not answer, or when a worker is expected
    (EXPEDITE_EXPECT_WORKER, the default) and none has recorded a heartbeat within
    EXPEDITE_HEARTBEAT_STALE_SECONDS: without one, nothing is sent and no SLA is watched.
    Three small queries: cheap enough for a probe every few seconds.
    """
    report: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report["database"] = {"ok": True, "engine": connection.vendor}
    except Exception as exc:
        # The class only: the probe is public and must not leak hosts or credentials.
        report["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        pending = HUEY.pending_count()
        report["queue"] = {"ok": True, "backend": type(HUEY).__name__, "pending": pending}
    except Exception as exc:
        report["queue"] = {"ok": False, "backend": type(HUEY).__name__, "error": type(exc).__name__}
    worker: dict[str, Any] = {"ok": False, "last_heartbeat": None, "age_seconds": None}
    if report["database"]["ok"]:
        last = WorkerHeartbeat.objects.order_by("-beat_at").first()
        if last is not None:
            age = (now - last.beat_at).total_seconds()
            worker = {
                "ok": age <= settings.EXPEDITE_HEARTBEAT_STALE_SECONDS,
                "last_heartbeat": last.beat_at.isoformat(),
                "age_seconds": round(age, 1),
            }
    worker["expected"] = settings.EXPEDITE_EXPECT_WORKER
    report["worker"] = worker
    report["ok"] = (
        report["database"]["ok"]
        and report["queue"]["ok"]
        and (worker["ok"] or not worker["expected"])
    )
    return report
