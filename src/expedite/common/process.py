"""Which process this is, for the worker heartbeat and the outbox's claim on a message."""

from __future__ import annotations

import os
import socket


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
