"""The outbox's own queued task: enqueued when an action stores a message, so it goes within
seconds instead of at the next minute's run (expedite.jobs schedules that one)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from expedite import clock
from expedite.common.process import worker_identity

from .delivery import deliver_due


def outbox_run() -> dict:
    return deliver_due(now=clock.now(), worker=worker_identity())


@db_task()
def outbox_send_now() -> dict:
    """Send what is due in the outbox, at once."""
    return outbox_run()
