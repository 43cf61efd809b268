from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from expedite.common.process import worker_identity

from .models import WorkerHeartbeat

__all__ = ["heartbeat_record", "worker_identity"]


@transaction.atomic
def heartbeat_record(*, worker: str, now: dt.datetime) -> WorkerHeartbeat:
    """Record that `worker` is alive. Not audited: it changes no business state."""
    updated = WorkerHeartbeat.objects.filter(worker=worker).update(
        beat_at=now, beats=F("beats") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.create(worker=worker, beat_at=now, beats=1)
    # Old entries of restarted processes are dropped so /healthz lists live workers.
    WorkerHeartbeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return WorkerHeartbeat.objects.get(worker=worker)
