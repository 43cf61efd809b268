from django.core.management.base import BaseCommand
from huey.contrib.djhuey import HUEY

from expedite.web.env import envint


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
        from expedite.jobs import heartbeat_now

        consumer = HUEY.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=not no_periodic,
            check_worker_health=True,
        )
        heartbeat_now()
        # run() installs the signal handlers: SIGINT stops gracefully, SIGTERM at once.
        consumer.run()
