import datetime as dt

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from expedite import jobs
from expedite.ops.models import WorkerHeartbeat
from expedite.ops.selectors import health
from expedite.ops.services import heartbeat_record

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_queue_and_no_worker_yet(client):
    body = client.get("/healthz").json()
    assert body["ok"] is True
    assert body["database"]["ok"] is True
    assert body["queue"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_heartbeat": None, "age_seconds": None}


def test_a_recent_heartbeat_makes_the_worker_ok_and_an_old_one_does_not():
    now = timezone.now()
    heartbeat_record(worker="w1", now=now - dt.timedelta(seconds=30))
    assert health(now=now)["worker"]["ok"] is True
    assert health(now=now + dt.timedelta(minutes=10))["worker"]["ok"] is False


def test_heartbeat_is_idempotent_per_worker():
    now = timezone.now()
    heartbeat_record(worker="w1", now=now)
    heartbeat_record(worker="w1", now=now + dt.timedelta(minutes=1))
    row = WorkerHeartbeat.objects.get()
    assert row.beats == 2
    assert row.beat_at == now + dt.timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_heartbeat_job_goes_through_the_configured_queue_and_shows_on_healthz(client):
    """Enqueue on the real queue (SQLite file or Redis), then consume it as a worker would.

    Transactional: like a worker, the job closes stale connections, which would end the
    per-test transaction on PostgreSQL.
    """
    HUEY.flush()
    jobs.heartbeat_now()
    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    HUEY.execute(task)
    assert HUEY.pending_count() == 0
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is True
    assert body["queue"]["backend"] in {"SqliteHuey", "RedisHuey"}


def test_the_periodic_heartbeat_is_scheduled_every_minute():
    assert jobs.heartbeat.task_class in HUEY._registry._periodic_tasks
    for minute in (0, 7, 59):
        assert (
            jobs.heartbeat.task_class().validate_datetime(dt.datetime(2026, 11, 26, 10, minute))
            is True
        )
