"""`expedite serve` under `kill -9`: a crashed child comes back, a killed server takes its children
along, and /healthz says when the worker is down. Real processes on a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(base: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=3) as r:  # noqa: S310 - loopback
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
    except OSError:
        return 0, {}


def _until(what: str, check: Callable[[], object], timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"not within {timeout} s: {what}")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        stat = _stat(int(entry.name)) if entry.name.isdigit() else None
        if stat is not None and stat[1] == pid and stat[0] != "Z":
            kids.append(int(entry.name))
    return kids


def _child(serve: int, marker: str) -> int | None:
    found = [p for p in _children(serve) if marker in _cmdline(p)]
    return found[0] if len(found) == 1 else None


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """One installation (no demo) shared by the tests here: `expedite setup` takes seconds."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_"))
    }
    env["EXPEDITE_VAR_DIR"] = str(tmp_path_factory.mktemp("supervised") / "var")
    # A beat a second, stale after three: a stopped worker shows within seconds.
    env["EXPEDITE_HEARTBEAT_SECONDS"] = "1"
    env["EXPEDITE_HEARTBEAT_STALE_SECONDS"] = "3"
    done = subprocess.run(
        [sys.executable, "-m", "expedite", "setup", "--no-demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return env


def _serve(env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "expedite", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _healthy(base: str) -> Callable[[], bool]:
    return lambda: _health(base)[0] == 200


def _stop(proc: subprocess.Popen) -> str:
    """Ctrl-C; whatever has not stopped within 30 s is killed, so no test leaves a process."""
    tree = _tree(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        for pid in [proc.pid, *tree]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
    return out


def test_a_crashed_worker_or_web_comes_back_and_healthz_says_when_the_worker_is_down(installed):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(installed, port)
    try:
        _until("serve answers /healthz 200", _healthy(base), 40)
        worker = _until("one worker", lambda: _child(proc.pid, "expedite worker"), 5)
        web = _until("one gunicorn", lambda: _child(proc.pid, "gunicorn"), 5)

        # A hung worker: the web keeps answering, and says the worker is down.
        os.kill(worker, signal.SIGSTOP)
        _until(
            "/healthz 503 with the worker down",
            lambda: (r := _health(base))[0] == 503 and r[1]["worker"]["ok"] is False,
            10,
        )
        status, body = _health(base)
        assert status == 503 and body["ok"] is False
        assert body["database"]["ok"] and body["queue"]["ok"]

        # Killed: the supervisor starts another; the web was never stopped.
        os.kill(worker, signal.SIGKILL)
        _until("/healthz 200 again", _healthy(base), 20)
        new_worker = _child(proc.pid, "expedite worker")
        assert new_worker not in (None, worker)
        assert _child(proc.pid, "gunicorn") == web

        # The web killed: it comes back too, and the worker is left alone.
        os.kill(web, signal.SIGKILL)
        _until("a new gunicorn", lambda: _child(proc.pid, "gunicorn") not in (None, web), 10)
        _until("/healthz 200 from the new gunicorn", _healthy(base), 20)
        assert _child(proc.pid, "expedite worker") == new_worker
        assert proc.poll() is None
    finally:
        out = _stop(proc)
    assert proc.returncode == 0, out
    assert "worker exited with -9" in out and "restarting in 1 s" in out
    assert "web exited with -9" in out


def test_a_killed_server_takes_its_children_along_and_a_new_one_gets_the_port(installed):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    first = _serve(installed, port)
    tree: list[int] = []
    try:
        _until("serve answers /healthz 200", _healthy(base), 40)
        tree = _tree(first.pid)
        commands = [_cmdline(p) for p in tree]
        assert sum("gunicorn" in c for c in commands) >= 2, commands  # master and a worker
        assert sum("expedite worker" in c for c in commands) == 1, commands
        first.kill()
        first.wait(5)
        _until(
            "no process of the killed server left",
            lambda: not [p for p in tree if _alive(p)],
            15,
        )
    finally:
        # Leftovers hold the output pipe open: they go first.
        for pid in [first.pid, *tree]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        first.communicate(timeout=10)
    second = _serve(installed, port)
    try:
        _until("a new serve answers on the same port", _healthy(base), 40)
    finally:
        out = _stop(second)
    assert second.returncode == 0, out
    assert "Connection in use" not in out
