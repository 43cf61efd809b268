"""Memory of the embedded `expedite serve` (web + worker) at idle, after a user's visit.

Starts `python -m expedite serve` on a fresh ./var in a temporary directory, waits until
/healthz shows a live worker, logs in as the demo's supervisor and opens the case list, two
case pages (plans, Gantt, triage), the queue, the board and the calendar, lets it idle, then
sums the memory of the whole process tree (from /proc, Linux only). The total is the
proportional set size (PSS): a page shared by n processes (the interpreter, shared libraries,
whatever gunicorn's workers share with their master) counts 1/n in each, so the sum is the
memory the tree takes. The resident sizes (RSS) are printed beside it; their sum counts every
shared page once per process. Prints each process, both totals, the PSS total against the
400 MB budget and against a bare Python interpreter measured in the same run.

    .venv/bin/python benchmarks/footprint.py [--idle SECONDS] [--var-from DIR] [--user NAME]
        [--jobs SECONDS]

`--var-from DIR` starts from a copy of an installation's var dir (set up, demo loaded) instead
of a new one: the CI smoke run (`make bench-smoke`) reuses one for every benchmark that needs
the demo; a firm built by benchmarks/pages_bench.py (whose supervisor is `--user
supervisor001`) measures the tree at that size. `--jobs SECONDS` then queues the heaviest
jobs (the night's proposal, the SLA watch, the KPI months) and samples the tree every half
second for that long: the peak total and each process's peak.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
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
PASSWORD = "expedite-demo"  # noqa: S105 - the demo's, and the scale firms'
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE = re.compile(r'href="/cases/(\d+)/"')


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pss_kb(pid: int) -> int:
    """Proportional set size: each page shared by n processes counts 1/n in each, so the
    tree's sum is the memory it takes (RSS counts a shared page in every process)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
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


def visit(base: str, user: str) -> None:
    """Log in and open the pages a supervisor's morning starts with, each twice (the web
    workers take turns), so the measured processes have loaded and used their code."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = opener.open(f"{base}/login/", timeout=30).read().decode()
    form = {"username": user, "password": PASSWORD, "csrfmiddlewaretoken": CSRF.search(login)[1]}
    body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(f"{base}/login/", data=body, headers={"Referer": base})
    opener.open(request, timeout=30).read()
    cases = opener.open(f"{base}/", timeout=30).read().decode()
    pages = ["/", *dict.fromkeys(f"/cases/{pk}/" for pk in CASE.findall(cases))][:3]
    if len(pages) < 3:
        raise SystemExit("the case list showed fewer than two cases: not logged in?")
    morning = ["/queue/", "/board/", "/board/load/", "/board/schedule/", "/kpi/", "/calendar/"]
    for path in [*pages, *morning, "/api/v1/openapi.json"] * 2:
        opener.open(f"{base}{path}", timeout=60).read()


JOBS = (
    "from expedite import jobs; "
    "jobs.schedule_nightly(); jobs.monitoring_sla_watch(); jobs.kpi_months()"
)


def during_jobs(root: int, env: dict, seconds: float) -> None:
    """Queue the heavy jobs for the running worker, then sample the tree's PSS."""
    subprocess.run([sys.executable, "-m", "expedite", "shell", "-c", JOBS], env=env, check=True)
    peak_total, peaks = 0, {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        total = 0
        for pid in tree(root):
            try:
                kb = pss_kb(pid)
            except OSError:  # gone meanwhile
                continue
            total += kb
            if kb > peaks.get(pid, (0, ""))[0]:
                peaks[pid] = (kb, cmdline(pid))
        peak_total = max(peak_total, total)
        time.sleep(0.5)
    print(f"while the jobs ran ({seconds:.0f} s), each process's peak:")
    for pid, (kb, line) in peaks.items():
        print(f"{kb / 1024:6.1f} MB  {pid:>7}  {line}")
    print(f"peak total: {peak_total / 1024:.1f} MB (PSS); budget {BUDGET_MB} MB: "
          f"{peak_total / 1024 / BUDGET_MB:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--var-from", default="", help="start from a copy of this var dir")
    parser.add_argument("--user", default="zhaolei", help="the supervisor who visits")
    parser.add_argument("--jobs", type=float, default=0.0, help="seconds to sample while jobs run")
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
            visit(f"http://127.0.0.1:{port}", args.user)
            time.sleep(args.idle)
            pids = tree(proc.pid)
            total = total_rss = 0
            print("     PSS       RSS      pid  process")
            for pid in pids:
                kb, rss = pss_kb(pid), rss_kb(pid)
                total, total_rss = total + kb, total_rss + rss
                print(f"{kb / 1024:6.1f} MB  {rss / 1024:6.1f} MB  {pid:>7}  {cmdline(pid)}")
            if args.jobs:
                during_jobs(proc.pid, env, args.jobs)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:  # the worker finishes a running job first (the night's search: 30 s)
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    bare = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"])
    time.sleep(1)
    bare_kb = rss_kb(bare.pid)
    bare.wait()
    total_mb = total / 1024
    print(
        f"total: {total_mb:.1f} MB (PSS) in {len(pids)} processes; RSS summed {total_rss / 1024:.1f} MB"
    )
    print(f"budget {BUDGET_MB} MB: {total_mb / BUDGET_MB:.2f} of budget")
    print(
        f"baseline bare python: {bare_kb / 1024:.1f} MB; tree = {total / bare_kb:.1f}x bare python"
    )


if __name__ == "__main__":
    main()
