"""The process supervisor of `expedite serve`: gunicorn and the worker as children.

A child that exits while nobody asked it to is started again, after a pause that doubles with
each quick failure (1 s, 2 s, 4 s … 30 s) and falls back to 1 s once a child has stayed up a
minute. Only SIGINT or SIGTERM stop the whole tree.

No child outlives the supervisor: each runs in a process group of its own (so one signal
reaches gunicorn's workers too) and, on Linux, asks the kernel to signal it when the supervisor
dies, even by `kill -9`, so a restarted server finds its port free.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0
STOP_TIMEOUT = 15.0
POLL_SECONDS = 0.2

# Graceful stops: SIGINT lets the worker finish running jobs; SIGTERM lets gunicorn finish
# requests. The same signals are what a child receives when the supervisor dies.
GRACEFUL = {"worker": signal.SIGINT, "web": signal.SIGTERM}

PR_SET_PDEATHSIG = 1


def _prctl():
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl


def backoff(failures: int) -> float:
    """Seconds to wait before the next start after `failures` quick failures in a row (>= 1)."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, failures - 1))


@dataclass
class Child:
    name: str
    command: list[str]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    # The process group of the last run, whose leftovers (gunicorn's workers after the master
    # died) are signalled before the next start.
    group: int | None = field(default=None, repr=False)


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], *, log=None):
        self.children = [Child(name, cmd) for name, cmd in commands.items()]
        self.log = log or sys.stderr
        self.stopping = False
        self.hurry = False
        self._prctl = _prctl()
        self._pid = os.getpid()

    def _preexec(self, sig: int):
        prctl, parent = self._prctl, self._pid

        def run() -> None:
            if prctl is not None:
                prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
            # The supervisor may have died between fork and prctl: nobody would signal us.
            if os.getppid() != parent:
                os._exit(1)

        return run

    def start(self, child: Child) -> None:
        if child.group is not None:
            _signal_group(child.group, signal.SIGKILL)
        sig = GRACEFUL.get(child.name, signal.SIGTERM)
        child.proc = subprocess.Popen(child.command, process_group=0, preexec_fn=self._preexec(sig))
        child.group = child.proc.pid
        child.started_at = time.monotonic()
        child.restart_at = None

    def exited(self, child: Child, code: int) -> None:
        """Schedule the next start of a child that exited on its own."""
        now = time.monotonic()
        up = now - child.started_at
        child.failures = 1 if up >= STABLE_AFTER else child.failures + 1
        delay = backoff(child.failures)
        child.proc = None
        child.restart_at = now + delay
        # Whatever is left of its group (gunicorn's workers) may finish its requests meanwhile.
        _signal_group(child.group, GRACEFUL.get(child.name, signal.SIGTERM))
        print(
            f"{child.name} exited with {code} after {up:.0f} s; restarting in {delay:.0f} s",
            file=self.log,
            flush=True,
        )

    def on_signal(self, signum, _frame) -> None:
        # A second Ctrl-C while stopping means: now.
        self.hurry = self.stopping
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.on_signal)
        signal.signal(signal.SIGTERM, self.on_signal)
        for child in self.children:
            self.start(child)
        while not self.stopping:
            now = time.monotonic()
            for child in self.children:
                if child.proc is not None:
                    code = child.proc.poll()
                    if code is not None and not self.stopping:
                        self.exited(child, code)
                elif child.restart_at is not None and now >= child.restart_at:
                    self.start(child)
            time.sleep(POLL_SECONDS)
        self.stop()
        return 0

    def stop(self) -> None:
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                _signal_group(child.group, GRACEFUL.get(child.name, signal.SIGTERM))
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children:
            if child.proc is not None:
                while child.proc.poll() is None and time.monotonic() < deadline and not self.hurry:
                    time.sleep(0.05)
            # The group too: nothing of the child may stay behind.
            _signal_group(child.group, signal.SIGKILL)
            if child.proc is not None:
                child.proc.wait()


def _signal_group(group: int | None, sig: int) -> None:
    if group is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


def supervise(commands: dict[str, list[str]]) -> int:
    """Run the children until SIGINT or SIGTERM, restarting any that exits; then stop all."""
    return Supervisor(commands).run()


def main(argv: list[str]) -> int:
    """`python -m expedite.ops.supervisor '<json {name: command}>'`: what `expedite serve`
    becomes once it has worked out the commands, so the supervisor holds only the standard
    library (~10 MB) instead of Django and the whole product (~85 MB) while it waits."""
    commands = json.loads(argv[1])
    return supervise({str(name): [str(a) for a in cmd] for name, cmd in commands.items()})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
