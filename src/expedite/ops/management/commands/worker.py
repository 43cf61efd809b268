import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY

from expedite import clock
from expedite.common.env import envint
from expedite.ops.models import WorkerHeartbeat
from expedite.ops.services import heartbeat_record, worker_identity

log = logging.getLogger(__name__)


def beat() -> bool:
    """Record this process's heartbeat; False (and a warning) when the database is away."""
    close_old_connections()  # a connection broken by a database restart is replaced
    try:
        heartbeat_record(worker=worker_identity(), now=clock.now())
    except Exception as exc:  # the consumer must outlive a database outage
        log.warning("heartbeat not recorded: %s", type(exc).__name__)
        return False
    return True


class HeartbeatConsumer(Consumer):
    """Huey's consumer, recording a heartbeat after each check of its threads: a fresh beat
    means the main loop runs and its scheduler and worker threads are alive."""

    def check_worker_health(self):
        healthy = super().check_worker_health()
        beat()
        return healthy


class Command(BaseCommand):
    help = "Run a Huey worker (consumer) on the configured queue, with the periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=envint("EXPEDITE_WORKER_THREADS", 2))
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="do not enqueue periodic jobs (run them on one worker process only if you prefer)",
        )

    def handle(self, *args, workers, no_periodic=False, **options):
        consumer = HeartbeatConsumer(
            HUEY,
            workers=workers,
            worker_type="thread",
            periodic=not no_periodic,
            check_worker_health=True,
            health_check_interval=settings.EXPEDITE_HEARTBEAT_SECONDS,
        )
        beat()  # /healthz shows the worker alive as soon as it starts
        try:
            # run() installs the signal handlers: SIGINT stops gracefully, SIGTERM at once.
            consumer.run()
        finally:
            # A worker that stopped is not alive: say so at once rather than when it goes stale.
            close_old_connections()
            try:
                WorkerHeartbeat.objects.filter(worker=worker_identity()).delete()
            except Exception as exc:  # the beat then goes stale on its own
                log.warning("heartbeat not removed: %s", type(exc).__name__)
