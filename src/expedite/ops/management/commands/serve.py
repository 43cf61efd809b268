"""Serve the web app (gunicorn) and, in the embedded setup, the worker in the same process tree
(see expedite.ops.supervisor: crashed children restart, none outlives the server)."""

from __future__ import annotations

import json
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from huey.contrib.djhuey import HUEY

from expedite.common.env import envint, envstr
from expedite.ops.demo import DEMO_PASSWORD, demo_logins
from expedite.ops.gunicornlog import LOG_ARGS


def embedded() -> bool:
    return (
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        and type(HUEY).__name__ == "SqliteHuey"
    )


def default_web_workers(*, embedded: bool) -> int:
    """Two processes on the embedded setup (SQLite takes one writer at a time, waiting on its
    busy timeout, and one process left a second core idle: 32 against 54 requests a second at
    100 users); gunicorn's usual 2 x CPU + 1 on a database server."""
    cores = os.cpu_count() or 1
    return min(2, cores) if embedded else 2 * cores + 1


class Command(BaseCommand):
    help = "Serve staff app, client portal and API; embedded: also run the worker."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=envstr("EXPEDITE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run a worker (the default in the embedded setup)",
        )

    def handle(self, *args, bind, with_worker=False, **options):
        is_embedded = embedded()
        web_workers = envint("WEB_CONCURRENCY", default_web_workers(embedded=is_embedded))
        gunicorn = [
            sys.executable, "-m", "gunicorn", "expedite.web.wsgi:application",
            "--bind", bind,
            "--workers", str(web_workers),
            "--worker-class", "gthread",
            "--threads", str(envint("WEB_THREADS", 4)),
            *LOG_ARGS,
            "--graceful-timeout", "10",
        ]  # fmt: skip
        commands = {"web": gunicorn}
        if is_embedded or with_worker:
            commands["worker"] = [sys.executable, "-m", "expedite", "worker"]
        host, _, port = bind.rpartition(":")
        url = f"http://{host or '127.0.0.1'}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"Expedite 加急服务台: {url}"))
        if is_embedded:
            self.stdout.write(f"demo logins (password {DEMO_PASSWORD}):")
            for username, role in demo_logins():
                self.stdout.write(f"  {username:<10} {role}")
        self.stdout.write(f"API docs: {url}api/v1/docs   health: {url}healthz   Ctrl-C to stop")
        self.stdout.flush()
        # The same process (pid, terminal, signals) continues as the bare supervisor.
        supervisor = [sys.executable, "-m", "expedite.ops.supervisor", json.dumps(commands)]
        os.execv(sys.executable, supervisor)  # noqa: S606 - our own interpreter, no shell
