import datetime as dt

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from expedite import jobs
from expedite.ops.models import WorkerHeartbeat
from expedite.ops.selectors import health
from expedite.ops.services import heartbeat_record

pytestmark = pytest.mark.django_db


def test_healthz_without_a_worker_answers_503_and_says_the_worker_is_down(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["ok"] is False
    assert body["database"]["ok"] is True
    assert body["queue"]["ok"] is True
    assert body["worker"] == {
        "ok": False,
        "last_heartbeat": None,
        "age_seconds": None,
        "expected": True,
    }


def test_a_load_balancer_asks_only_whether_this_web_process_can_serve(client):
    response = client.get("/healthz", {"scope": "web"})
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["worker"]["ok"] is False
    assert client.get("/healthz").status_code == 503


def test_where_no_worker_is_expected_healthz_is_ok_without_one(client, settings):
    settings.EXPEDITE_EXPECT_WORKER = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["worker"]["ok"] is False


def test_a_recent_heartbeat_makes_the_worker_ok_and_an_old_one_does_not(settings):
    settings.EXPEDITE_HEARTBEAT_STALE_SECONDS = 30
    now = timezone.now()
    heartbeat_record(worker="w1", now=now - dt.timedelta(seconds=20))
    report = health(now=now)
    assert report["worker"]["ok"] is True and report["ok"] is True
    report = health(now=now + dt.timedelta(seconds=11))
    assert report["worker"]["ok"] is False and report["ok"] is False
    assert report["worker"]["age_seconds"] == 31


def test_healthz_turns_503_when_the_last_heartbeat_goes_stale(client, settings):
    settings.EXPEDITE_HEARTBEAT_STALE_SECONDS = 30
    heartbeat_record(worker="w1", now=timezone.now() - dt.timedelta(seconds=5))
    assert client.get("/healthz").status_code == 200
    heartbeat_record(worker="w1", now=timezone.now() - dt.timedelta(seconds=60))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False


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
