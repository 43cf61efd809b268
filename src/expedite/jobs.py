"""Background jobs (Huey). Each is a thin wrapper around a service and safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from expedite import clock
from expedite.common.process import worker_identity
from expedite.desk.digest import digests_due
from expedite.kpi.services import kpi_months_refresh
from expedite.materials.corrections import correction_reminders
from expedite.monitoring.reports import reports_tick
from expedite.monitoring.watch import sla_watch
from expedite.notify.tasks import outbox_run, outbox_send_now  # noqa: F401 - the queue registers it here too
from expedite.ops.services import heartbeat_record
from expedite.radar.services import radar_nightly
from expedite.records.audit_jobs import audit_daily
from expedite.work.schedule import schedule_nightly as propose
from expedite.work.tasks import schedule_replan  # noqa: F401 - the queue registers it here too


def _beat() -> str:
    row = heartbeat_record(worker=worker_identity(), now=clock.now())
    return row.beat_at.isoformat()


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> str:
    """Every minute: show on /healthz that a worker is consuming the queue."""
    return _beat()


@db_task()
def heartbeat_now() -> str:
    """The same, on demand: enqueued when a worker starts so /healthz is green at once."""
    return _beat()


@db_periodic_task(crontab(hour="2", minute="30"))
def audit_daily_check() -> dict:
    """Every night: verify the audit chain and the files, then anchor and mail the head."""

    return audit_daily()


@db_periodic_task(crontab(hour="2", minute="45"))
def kpi_months() -> dict:
    """Every night: make again the KPI figures kept for months that are over."""

    return kpi_months_refresh(now=clock.now())


@db_periodic_task(crontab(minute="*"))
def monitoring_sla_watch() -> dict:
    """Every minute: unanswered incidents escalate, risky projections raise a warning."""

    return sla_watch(now=clock.now())


@db_periodic_task(crontab(minute="*"))
def monitoring_reports() -> dict:
    """Every minute: draft the daily reports whose edit window opens, send those due."""

    return reports_tick(now=clock.now())


@db_periodic_task(crontab(minute="*"))
def material_correction_reminders() -> dict:
    """Every minute: remind clients of materials still to correct, on each item's cadence,
    within working hours and at most the daily number per case."""

    return correction_reminders(now=clock.now())


@db_periodic_task(crontab(minute="*"))
def outbox_send() -> dict:
    """Every minute: send what is due in the outbox, retrying failed messages on schedule."""
    return outbox_run()


@db_periodic_task(crontab(minute="*"))
def staff_digests() -> dict:
    """Every minute: once the digest time has passed on a working day, queue each staff
    member's morning digest (one per person and day, whatever the number of runs)."""

    return digests_due(now=clock.now())


@db_periodic_task(crontab(hour="3", minute="15"))
def schedule_nightly() -> dict:
    """Every night: propose who does which step when across all active cases, for the
    manager to review in the morning (nothing new when nothing changed since the last one)."""

    return propose(now=clock.now())


@db_periodic_task(crontab(hour="3", minute="40"))
def radar_refresh() -> dict:
    """Every night: train the demand radar on the firm's history when it is long enough (else
    keep the models in use), then score every client for the morning's calls."""

    return radar_nightly(now=clock.now())
