"""Serve the web app (gunicorn) and, in the embedded setup, the worker in the same process tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from huey.contrib.djhuey import HUEY

from expedite.ops.demo import DEMO_PASSWORD, demo_logins
from expedite.web.env import envint, envstr
from expedite.web.gunicornlog import LOG_ARGS


def embedded() -> bool:
    return (
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        and type(HUEY).__name__ == "SqliteHuey"
    )


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
        web_workers = envint("WEB_CONCURRENCY", 1 if is_embedded else 2 * (os.cpu_count() or 1) + 1)
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
        sys.exit(supervise(commands))


def supervise(commands: dict[str, list[str]]) -> int:
    """Run the children; when one exits or we are signalled, stop all and return."""
    children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in children.items():
            code = proc.poll()
            if code is not None:
                print(f"{name} exited with {code}; stopping", file=sys.stderr)
                exit_code = code or 1
                stopping = True
                break
        time.sleep(0.3)
    # Graceful stops: SIGINT lets the worker finish running jobs; SIGTERM lets gunicorn finish
    # requests. A child that already got Ctrl-C from the terminal takes the second as the same.
    graceful = {"worker": signal.SIGINT, "web": signal.SIGTERM}
    for name, proc in children.items():
        if proc.poll() is None:
            proc.send_signal(graceful.get(name, signal.SIGTERM))
    deadline = time.monotonic() + 15
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return exit_code
