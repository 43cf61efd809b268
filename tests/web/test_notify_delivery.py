"""The outbox sender over real SMTP and a real HTTP endpoint on loopback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from expedite.domain.outbox import message_id
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage
from expedite.notify.services import enqueue
from tests.web import notify_helpers

smtp, webhook = notify_helpers.smtp, notify_helpers.webhook  # fixtures

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def mail(key: str, now: dt.datetime, to: str = "wugang@hengxin.example") -> OutboxMessage:
    row, created = enqueue(
        key=key, channel="email", recipient=to, subject="日报", body=f"正文 {key}", now=now
    )
    assert created
    return row


def test_smtp_down_keeps_the_message_with_backoff_then_delivers_it_once(smtp):
    now = timezone.now()
    row = mail("report:1", now)
    smtp.down()

    schedule = []
    at = now
    for _ in range(4):
        assert deliver_due(now=at, worker="w1")["failed"] == 1
        row.refresh_from_db()
        schedule.append(row.next_attempt_at - at)
        # Not due again before its time: a run in between leaves it alone.
        assert deliver_due(now=row.next_attempt_at - dt.timedelta(seconds=5), worker="w1") == {
            "sent": 0,
            "failed": 0,
            "held": 0,
            "lost": 0,
            "skipped": 0,
            "dropped": 0,
        }
        at = row.next_attempt_at
    assert [round(d / MINUTE) for d in schedule] == [1, 2, 4, 8]
    assert row.status == "pending" and row.attempts == 4
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert row.claimed_by == "" and row.claimed_until is None

    smtp.up()
    assert deliver_due(now=at, worker="w1")["sent"] == 1
    assert deliver_due(now=at + dt.timedelta(hours=2), worker="w1")["sent"] == 0
    row.refresh_from_db()
    assert row.status == "sent" and row.last_error == ""
    (received,) = smtp.inbox.messages
    assert received["To"] == "wugang@hengxin.example"
    assert received["Message-ID"] == message_id("report:1", "firm.example")


def test_enqueue_twice_stores_and_sends_once(smtp):
    now = timezone.now()
    mail("warning:7", now)
    _again, created = enqueue(
        key="warning:7", channel="email", recipient="x@y.example", subject="s", body="b", now=now
    )
    assert not created
    deliver_due(now=now, worker="w1")
    deliver_due(now=now + dt.timedelta(hours=1), worker="w2")
    assert len(smtp.inbox.messages) == 1


def test_webhook_retries_until_http_200_and_errcode_0(webhook):
    now = timezone.now()
    enqueue(key="incident:3", channel="wecom", subject="异常", body="消防验收报告格式不对", now=now)
    webhook.answers = [(500, {"errcode": 0}), (200, {"errcode": 93000, "errmsg": "invalid"})]

    assert deliver_due(now=now, worker="w1")["failed"] == 1
    row = OutboxMessage.objects.get()
    assert "HTTP" in row.last_error and row.attempts == 1
    assert deliver_due(now=now + MINUTE, worker="w1")["failed"] == 1
    row.refresh_from_db()
    assert "93000" in row.last_error and row.attempts == 2
    assert row.next_attempt_at == now + MINUTE + 2 * MINUTE
    assert deliver_due(now=now + 3 * MINUTE, worker="w1")["sent"] == 1

    assert webhook.attempts == 3
    (body,) = webhook.received
    assert body["msgtype"] == "markdown"
    assert "消防验收报告格式不对" in body["markdown"]["content"]
    assert "**异常**" in body["markdown"]["content"]


def test_an_unconfigured_webhook_keeps_the_message(settings):
    settings.EXPEDITE_WECOM_WEBHOOK_URL = ""
    now = timezone.now()
    enqueue(key="w:1", channel="wecom", subject="s", body="b", now=now)
    assert deliver_due(now=now, worker="w1")["failed"] == 1
    row = OutboxMessage.objects.get()
    assert row.status == "pending" and "EXPEDITE_WECOM_WEBHOOK_URL" in row.last_error


def test_an_inapp_message_is_delivered_at_once(world):
    now = timezone.now()
    enqueue(key="inapp:1", channel="inapp", user=world.zhang, subject="s", body="b", now=now)
    assert deliver_due(now=now, worker="w1")["sent"] == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_a_claim_held_by_another_worker_is_skipped_until_its_lease_expires(smtp, settings):
    from expedite.notify.delivery import claim

    now = timezone.now()
    row = mail("r:9", now)
    assert claim(row.pk, worker="crashed", now=now)
    assert deliver_due(now=now + MINUTE, worker="w2")["sent"] == 0
    lease = dt.timedelta(seconds=settings.EXPEDITE_OUTBOX_LEASE_SECONDS)
    assert deliver_due(now=now + lease, worker="w2")["sent"] == 1
    assert len(smtp.inbox.messages) == 1


def test_a_batch_sends_in_order_and_stops_at_the_batch_size(smtp):
    now = timezone.now()
    for i in range(5):
        mail(f"r:{i}", now + dt.timedelta(seconds=i))
    assert deliver_due(now=now + MINUTE, worker="w1", batch=3)["sent"] == 3
    assert [m["Subject"] for m in smtp.inbox.messages] == ["=?utf-8?b?5pel5oql?="] * 3
    assert deliver_due(now=now + MINUTE, worker="w1", batch=3)["sent"] == 2
    assert len(set(smtp.inbox.message_ids())) == 5


@pytest.mark.django_db(transaction=True)
def test_a_committed_message_asks_a_worker_to_send_at_once_once_per_transaction(smtp):
    from django.db import transaction
    from huey.contrib.djhuey import HUEY

    from expedite import jobs

    HUEY.flush()
    now = timezone.now()
    with transaction.atomic():
        for i in range(3):
            mail(f"burst:{i}", now)
        assert HUEY.pending_count() == 0  # nothing before the commit
    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    assert task.name.endswith("outbox_send_now")
    HUEY.execute(task)
    assert len(smtp.inbox.messages) == 3
    assert jobs.outbox_send.task_class in HUEY._registry._periodic_tasks

    # A rolled-back action leaves neither a message nor a request to send one.
    with pytest.raises(RuntimeError), transaction.atomic():
        mail("rolled-back", now)
        raise RuntimeError
    assert HUEY.pending_count() == 0
    assert not OutboxMessage.objects.filter(key="rolled-back").exists()
