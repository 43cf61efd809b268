"""Resident memory of the embedded `expedite serve` (web + worker) at idle.

Starts `python -m expedite serve` on a fresh ./var in a temporary directory, waits until
/healthz shows a live worker, lets it idle, then sums the RSS of the whole process tree
(from /proc, Linux only). Prints each process, the total, and the total against the 400 MB
budget and against a bare Python interpreter measured in the same run.

    .venv/bin/python benchmarks/footprint.py [--idle SECONDS] [--var-from DIR]

`--var-from DIR` starts from a copy of an installation's var dir (set up, demo loaded) instead
of a new one: the CI smoke run (`make bench-smoke`) reuses one for every benchmark that needs
the demo.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

BUDGET_MB = 400


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        path = task / "children"
        if path.exists():
            found += [int(p) for p in path.read_text().split()]
    return found


def tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def cmdline(pid: int) -> str:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return raw.strip()[:90]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--var-from", default="", help="start from a copy of this var dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "EXPEDITE_"))
        }
        env["EXPEDITE_VAR_DIR"] = f"{tmp}/var"
        if args.var_from:  # an installation already set up
            shutil.copytree(args.var_from, f"{tmp}/var")
        else:
            subprocess.run(
                [sys.executable, "-m", "expedite", "setup"],
                env=env,
                check=True,
                capture_output=True,
            )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "expedite", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:
                        if json.load(r)["worker"]["ok"]:
                            break
                except OSError:
                    pass
                time.sleep(0.5)
            else:
                raise SystemExit("server did not become healthy")
            # Touch the main pages once so the measured web process has loaded its code.
            for path in ("/login/", "/api/v1/openapi.json", "/healthz"):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()
            time.sleep(args.idle)
            pids = tree(proc.pid)
            total = 0
            for pid in pids:
                kb = rss_kb(pid)
                total += kb
                print(f"{kb / 1024:8.1f} MB  {pid:>7}  {cmdline(pid)}")
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
    bare = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"])
    time.sleep(1)
    bare_kb = rss_kb(bare.pid)
    bare.wait()
    total_mb = total / 1024
    print(f"total: {total_mb:.1f} MB in {len(pids)} processes")
    print(f"budget {BUDGET_MB} MB: {total_mb / BUDGET_MB:.2f} of budget")
    print(
        f"baseline bare python: {bare_kb / 1024:.1f} MB; tree = {total / bare_kb:.1f}x bare python"
    )


if __name__ == "__main__":
    main()
