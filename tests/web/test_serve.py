"""`expedite serve` as `make run` uses it: web and worker in one process tree, clean Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def embedded_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_"))
    }
    env["EXPEDITE_VAR_DIR"] = str(tmp_path / "var")
    return env


def _at_test_instant() -> list[str]:
    """The command prefix that runs `expedite` at the test's pinned instant, as a firm would
    on that day (the demo is laid out at it)."""
    return [sys.executable, "-m", "tests.at_instant", timezone.now().isoformat()]


def _serve(env, *extra):
    setup = subprocess.run(
        [*_at_test_instant(), "setup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert setup.returncode == 0, setup.stderr
    port = _free_port()
    proc = subprocess.Popen(
        [*_at_test_instant(), "serve", "--bind", f"127.0.0.1:{port}", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    return proc, f"http://127.0.0.1:{port}"


def _wait_for_worker(base: str, proc) -> dict:
    deadline = time.monotonic() + 60
    body: dict = {}
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            status, raw = _get(base + "/healthz")
            body = json.loads(raw)
            if status == 200 and body["worker"]["ok"]:
                return body
        except OSError:
            pass
        time.sleep(0.5)
    return body


def _stop(proc) -> str:
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    out, _ = proc.communicate(timeout=30)
    return out


def test_embedded_serve_runs_web_and_worker_and_stops_on_ctrl_c(embedded_env):
    proc, base = _serve(embedded_env)
    try:
        body = _wait_for_worker(base, proc)
        assert body.get("worker", {}).get("ok"), body
        assert body["database"]["engine"] == "sqlite"
        assert body["queue"]["backend"] == "SqliteHuey"
        status, html = _get(base + "/login/")
        assert status == 200 and "员工登录" in html.decode()
        # Once the commands are worked out, the serving process goes on as the bare
        # supervisor: the standard library only, not Django and the product.
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"expedite.ops.supervisor" in cmdline
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss_kb = int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])
        assert rss_kb < 40_000, rss_kb  # about 14 MB; with Django loaded it was 115 MB
    finally:
        out = _stop(proc)
    assert proc.returncode == 0, out
    assert "zhangmin" in out and "expedite-demo" in out


@pytest.mark.skipif(
    not os.environ.get("EXPEDITE_QUEUE_URL", "").startswith("redis"),
    reason="queue is not Redis in this run",
)
def test_serve_with_a_redis_queue_runs_a_worker_on_request(embedded_env):
    embedded_env["EXPEDITE_QUEUE_URL"] = os.environ["EXPEDITE_QUEUE_URL"]
    embedded_env["EXPEDITE_QUEUE_NAME"] = f"serve-test-{os.getpid()}"
    proc, base = _serve(embedded_env, "--with-worker")
    try:
        body = _wait_for_worker(base, proc)
        assert body.get("worker", {}).get("ok"), body
        assert body["queue"]["backend"] == "RedisHuey"
    finally:
        out = _stop(proc)
    assert proc.returncode == 0, out


@pytest.mark.parametrize(
    "command",
    [
        ["calendar", "is-workday", "2027-01-01"],
        ["demo"],
        ["triage", "food-business-license", "--deadline", "2027-03-01"],
    ],
)
def test_a_command_before_setup_says_what_to_run(embedded_env, command):
    done = subprocess.run(
        [sys.executable, "-m", "expedite", *command],
        env=embedded_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    # One line saying what to run, no traceback.
    assert (
        done.stderr.strip().splitlines()[-1].endswith("数据库尚未初始化：请先运行 expedite setup。")
    )
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
