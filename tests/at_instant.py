"""Run an `expedite` command as if it were a given instant.

    python -m tests.at_instant 2026-12-31T23:30+08:00 setup

The whole process runs on a clock pinned at that instant and ticking on from there
(time-machine moves every clock Python reads), so CI can start Expedite on a new database on a
Friday evening, a Saturday or the eve of a holiday without waiting for one.
"""

from __future__ import annotations

import datetime as dt
import sys

import time_machine

from expedite.__main__ import main
from expedite.domain.calendar import SHANGHAI


def run(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit("usage: python -m tests.at_instant INSTANT COMMAND [ARGS …]")
    instant = dt.datetime.fromisoformat(argv[0])
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=SHANGHAI)
    with time_machine.travel(instant, tick=True):
        main(argv[1:])


if __name__ == "__main__":
    run(sys.argv[1:])
