"""Several senders at once, and a sender killed in the middle of a send.

Transactional tests: the rows must be committed for other threads and processes to see them.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from expedite.domain.outbox import message_id
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage
from expedite.notify.services import enqueue
from tests.web import notify_helpers

smtp = notify_helpers.smtp  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def fill(n: int, now: dt.datetime) -> list[str]:
    keys = [f"report:case-{i}:2026-11-26:email" for i in range(n)]
    for i, key in enumerate(keys):
        enqueue(
            key=key,
            channel="email",
            recipient=f"c{i}@client.example",
            subject="日报",
            body=key,
            now=now + dt.timedelta(milliseconds=i),
        )
    return keys


def expected_ids(keys: list[str]) -> list[str]:
    return sorted(message_id(k, "firm.example") for k in keys)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database (shared cache) refuses concurrent writers "
    "instead of waiting for them as the file database with its busy timeout does",
)
def test_four_workers_at_once_send_each_message_exactly_once(smtp):
    now = timezone.now()
    keys = fill(40, now)
    start = threading.Barrier(4)
    results, errors = [], []

    def work(name: str) -> None:
        try:
            start.wait()
            results.append(deliver_due(now=now + dt.timedelta(seconds=1), worker=name))
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(r["sent"] for r in results) == 40
    assert sum(r["lost"] for r in results) == 0
    assert sorted(smtp.inbox.message_ids()) == expected_ids(keys)
    assert OutboxMessage.objects.filter(status="sent").count() == 40


_DOOMED_WORKER = """
import datetime as dt, sys, time
import django
django.setup()
from expedite.notify.delivery import deliver_due
deliver_due(now=dt.datetime.fromisoformat(sys.argv[1]), worker="doomed")
print("finished", flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database lives in memory, out of a subprocess's reach",
)
def test_a_worker_killed_mid_send_leaves_no_duplicate_and_drops_nothing(smtp, settings):
    """The worker sends k of n, is frozen by the SMTP server in the middle of message k+1 and
    killed there; a second worker sends the rest, and k+1 once its lease has run out."""
    n, k = 8, 3
    now = timezone.now()
    keys = fill(n, now)
    smtp.inbox.hold_after = k
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "DEFAULT_FROM_EMAIL": "expedite@firm.example",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", _DOOMED_WORKER, (now + dt.timedelta(seconds=1)).isoformat()],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        if not smtp.inbox.holding.wait(30):
            worker.kill()
            pytest.fail(f"the worker never reached message {k + 1}: {worker.communicate()}")
        # Frozen mid-send: k delivered and marked, the next one claimed and in flight.
        assert len(smtp.inbox.messages) == k
        assert OutboxMessage.objects.filter(status="sent").count() == k
        in_flight = OutboxMessage.objects.get(claimed_by="doomed")
        assert in_flight.key == keys[k]
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
        smtp.inbox.hold_after = None
        smtp.inbox.release()
    time.sleep(0.1)

    # A restarted worker takes everything still unclaimed; the dead worker's row waits for
    # its lease, so nothing is sent twice while the first worker might still be alive.
    later = now + dt.timedelta(seconds=5)
    assert deliver_due(now=later, worker="second")["sent"] == n - k - 1
    lease = dt.timedelta(seconds=settings.EXPEDITE_OUTBOX_LEASE_SECONDS)
    assert deliver_due(now=now + lease + dt.timedelta(minutes=1), worker="second")["sent"] == 1

    assert sorted(smtp.inbox.message_ids()) == expected_ids(keys)
    assert OutboxMessage.objects.filter(status="sent").count() == n
