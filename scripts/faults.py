"""Faults: `kill -9` each process of `expedite serve` while staff write, then check the damage.

    .venv/bin/python scripts/faults.py             # embedded: SQLite, queue on SQLite
    .venv/bin/python scripts/faults.py --scaled    # PostgreSQL + Redis (skipped if unreachable)

A new installation with the demo (`expedite setup`) in a temporary var dir, served by
`expedite serve` on a free port, its e-mail going to an SMTP server on loopback run here.
Writers (threads, each a member of staff) open cases through the API (acknowledged: 201) and
record incidents through the case page's form (acknowledged: the redirect lands on the case
page showing "已登记异常"); every incident that moves a case's projected finish e-mails the
client through the outbox. Meanwhile, one after another: a gunicorn worker, the gunicorn
master, the queue worker and `expedite serve` itself are killed with SIGKILL. The first three
must come back by themselves (a new process, /healthz 200) with the server never restarted;
after the last, every child must be gone within seconds and this script starts the server
again, as a service manager would, on the same port.

Then, after the outbox has drained: every acknowledged write is stored with its audit event;
every e-mail the outbox marked sent reached the SMTP server, and none reached it twice (same
Message-ID) but the one a kill of a sending process cut off between the SMTP server taking it
and the row being marked sent (at least once, as notify/delivery.py promises); no request
answered 500; `expedite audit verify` passes. Prints a summary;
exits 1 on any failure.

The scaled run uses a database of its own (--database, created and dropped) on the server
DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/expedite) and a queue name of
its own on EXPEDITE_QUEUE_URL (default redis://127.0.0.1:6379/15); with FAULTS_REQUIRE_SCALED=1
an unreachable PostgreSQL or Redis is a failure rather than a skip.
"""

from __future__ import annotations

import argparse
import collections
import email
import email.header
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INCIDENT_OK = "已登记异常"
TARGETS = ("gunicorn worker", "gunicorn master", "queue worker", "serve")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(check, timeout: float, step: float = 0.2):
    """The first truthy value of `check()` within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    return None


# -- processes, from /proc ---------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid), or None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        stat = _stat(int(entry.name)) if entry.name.isdigit() else None
        if stat is not None and stat[1] == pid and stat[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def child(pid: int, marker: str) -> int | None:
    found = [p for p in children(pid) if marker in cmdline(p)]
    return found[0] if len(found) == 1 else None


def tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


# -- the SMTP server the outbox sends to -------------------------------------------------------


class Inbox:
    def __init__(self):
        self.ids: list[str] = []
        self.subjects: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        with self.lock:
            self.ids.append(message["Message-ID"])
            self.subjects[message["Message-ID"]] = subject
        return "250 OK"


# -- the server, as a service manager runs it --------------------------------------------------


class Server:
    def __init__(self, env: dict, port: int, log: Path, *, scaled: bool):
        self.env, self.port, self.log, self.scaled = env, port, log, scaled
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        args = ["serve", "--bind", f"127.0.0.1:{self.port}"] + (["--with-worker"] * self.scaled)
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "expedite", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def health(self) -> int:
        try:
            return requests.get(self.base + "/healthz", timeout=3).status_code
        except requests.RequestException:
            return 0

    def stop(self) -> int | None:
        """Ctrl-C, as a service manager stops it; leftovers after 30 s are killed."""
        if self.proc is None:
            return None
        rest = tree(self.proc.pid)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in rest:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        return self.proc.returncode


# -- staff writing -----------------------------------------------------------------------------


class Writer(threading.Thread):
    """One member of staff: API cases and incidents on the case page, in turn, until told to
    stop. After any failure it starts a new browser session, so that a success message left
    over from an unanswered request is never read as the answer to the next one."""

    def __init__(self, n: int, base: str, fixtures: dict, stop: threading.Event, record):
        super().__init__(daemon=True, name=f"writer-{n}")
        self.n, self.base, self.fx, self.halt, self.record = n, base, fixtures, stop, record
        self.session: requests.Session | None = None
        self.token = ""

    def login(self) -> bool:
        s = requests.Session()
        page = s.get(self.base + "/login/", timeout=10)
        found = CSRF.search(page.text)
        data = {
            "username": self.fx["username"],
            "password": self.fx["password"],
            "csrfmiddlewaretoken": found.group(1) if found else "",
        }
        r = s.post(self.base + "/login/", data=data, allow_redirects=False, timeout=10)
        if r.status_code != 302:
            return False
        self.session, self.token = s, ""
        return True

    def api_case(self, i: int) -> None:
        reason = f"故障演练 {uuid.uuid4().hex[:12]}：客户收到书面通知，月底前须办结。"
        body = {
            "client_id": self.fx["clients"][i % len(self.fx["clients"])],
            "service": self.fx["services"][i % len(self.fx["services"])],
            "requested_deadline": self.fx["deadline"],
            "reason": reason,
        }
        r = requests.post(
            self.base + "/api/v1/cases",
            json=body,
            headers={"Authorization": f"Bearer {self.fx['token']}"},
            timeout=10,
        )
        if r.status_code != 201:
            raise RuntimeError(f"API answered {r.status_code}")
        self.record("api", {"id": r.json()["id"], "reason": reason})

    def incident(self, i: int) -> None:
        if self.session is None and not self.login():
            raise RuntimeError("log-in refused")
        case = self.fx["cases"][i % len(self.fx["cases"])]
        page_url = f"{self.base}/cases/{case}/"
        if not self.token:
            self.token = self._token(self.session.get(page_url, timeout=10))
        description = f"故障演练 {uuid.uuid4().hex[:12]}"
        r = self.session.post(
            f"{self.base}/cases/{case}/incidents/",
            data={
                "kind": "system_outage",
                "description": description,
                "impact_hours": "1",
                "step": "",
                "csrfmiddlewaretoken": self.token,
            },
            allow_redirects=False,
            timeout=10,
        )
        if r.status_code != 302 or "/login/" in r.headers.get("Location", ""):
            raise RuntimeError(f"incident form answered {r.status_code}")
        page = self.session.get(page_url, timeout=10)
        self.token = self._token(page)
        if INCIDENT_OK not in page.text:
            raise RuntimeError("incident form did not confirm")
        self.record("form", {"case": case, "description": description})

    @staticmethod
    def _token(page: requests.Response) -> str:
        found = CSRF.search(page.text) if page.status_code == 200 else None
        if not found:
            raise RuntimeError(f"case page answered {page.status_code}")
        return found.group(1)

    def run(self) -> None:
        i = self.n
        while not self.halt.is_set():
            i += 1
            try:
                (self.api_case if i % 2 else self.incident)(i)
            except (requests.RequestException, RuntimeError, ValueError) as exc:
                self.record("failed", {"error": f"{type(exc).__name__}: {exc}"[:60]})
                self.session = None
                self.halt.wait(0.3)


# -- one fault ---------------------------------------------------------------------------------


def find(server: Server, target: str, *, new_only: set[int] = frozenset()) -> int | None:
    """The process to kill, or (with `new_only`, the processes before the kill) the one that
    took its place."""
    serve = server.proc.pid
    if target == "serve":
        return serve
    if target == "queue worker":
        found = [child(serve, "expedite worker")]
    else:
        master = child(serve, "gunicorn")
        found = [master] if target == "gunicorn master" else children(master) if master else []
    found = [p for p in found if p is not None and p not in new_only]
    return found[0] if found else None


def fault(server: Server, target: str, *, settle: float) -> dict:
    row = {"target": target, "ok": False, "note": ""}
    if not until(lambda: server.health() == 200, 60):
        row["note"] = "not healthy before the kill"
        return row
    time.sleep(settle)  # writes under way
    pid = find(server, target)
    if pid is None:
        row["note"] = "process not found"
        return row
    serve, family = server.proc.pid, tree(server.proc.pid)
    before = set(family)
    row["pid"] = pid
    statuses: collections.Counter = collections.Counter()
    os.kill(pid, signal.SIGKILL)
    start = time.monotonic()
    if target == "serve":
        server.proc.wait(10)
        gone = until(lambda: not [p for p in family if alive(p)], 20)
        row["children_gone_s"] = round(time.monotonic() - start, 1)
        if not gone:
            row["note"] = "children outlived the server: " + ", ".join(
                f"{p} {cmdline(p)[:40]}" for p in family if alive(p)
            )
            return row
        server.start()

    def back() -> bool:
        status = server.health()
        statuses[status] += 1
        if status != 200:
            return False
        if target == "serve":
            return True
        # Back by itself: a new process in the old one's place, under the same server.
        return find(server, target, new_only=before) is not None and server.proc.poll() is None

    if not until(back, 60):
        row["note"] = f"not back within 60 s (health answers: {dict(statuses)})"
        return row
    row["back_s"] = round(time.monotonic() - start, 1)
    row["unhealthy_polls"] = sum(n for status, n in statuses.items() if status != 200)
    if target != "serve" and server.proc.pid != serve:
        row["note"] = "the server was restarted"
        return row
    row["ok"] = True
    return row


# -- the run -----------------------------------------------------------------------------------


def scaled_urls() -> tuple[str, str]:
    db = os.environ.get("DATABASE_URL", "")
    if not db.startswith(("postgres://", "postgresql://")):
        db = "postgres://postgres@127.0.0.1:5432/expedite"
    queue = os.environ.get("EXPEDITE_QUEUE_URL", "")
    if not queue.startswith("redis"):
        queue = "redis://127.0.0.1:6379/15"
    return db, queue


def _admin(url: str) -> str:
    """The server's maintenance database: the run creates a database of its own there."""
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def reachable(db: str, queue: str) -> str:
    """Why PostgreSQL or Redis cannot be used, or "" when both answer."""
    import psycopg
    import redis

    try:
        with psycopg.connect(_admin(db), connect_timeout=3):
            pass
    except psycopg.Error as exc:
        return f"PostgreSQL does not answer ({str(exc).strip().splitlines()[-1]})"
    try:
        redis.Redis.from_url(queue, socket_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis does not answer ({exc})"
    return ""


def own_database(url: str, name: str):
    """A database of its own on the server `url` names; returns its URL and how to drop it."""
    import psycopg

    parts = urllib.parse.urlsplit(url)

    def execute(sql: str) -> None:
        with psycopg.connect(_admin(url), autocommit=True) as conn:
            conn.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    drop = lambda: execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # noqa: E731
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scaled", action="store_true", help="PostgreSQL + Redis")
    parser.add_argument("--writers", type=int, default=4, help="staff writing at once")
    parser.add_argument("--rounds", type=int, default=1, help="times each process is killed")
    parser.add_argument("--settle", type=float, default=4, help="seconds of writes before a kill")
    parser.add_argument("--drain", type=float, default=150, help="max seconds for the outbox")
    parser.add_argument("--database", default="expedite_faults", help="PostgreSQL only")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (kept on failure)")
    args = parser.parse_args()

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="expedite-faults-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_", "EMAIL_"))
    }
    drop = lambda: None  # noqa: E731
    if args.scaled:
        db, queue = scaled_urls()
        why = reachable(db, queue)
        if why:
            print(f"faults, PostgreSQL + Redis: SKIPPED: {why}")
            shutil.rmtree(work, ignore_errors=True)
            return 1 if os.environ.get("FAULTS_REQUIRE_SCALED") == "1" else 0
        env["DATABASE_URL"], drop = own_database(db, args.database)
        env["EXPEDITE_QUEUE_URL"] = queue
        env["EXPEDITE_QUEUE_NAME"] = f"expedite-faults-{os.getpid()}"
        env.setdefault("WEB_CONCURRENCY", "3")
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env.update(
        EXPEDITE_VAR_DIR=str(work / "var"),
        PYTHONUNBUFFERED="1",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        DEFAULT_FROM_EMAIL="expedite@firm.example",
        # A message claimed by a killed worker is retried after the lease: short, to see it here.
        EXPEDITE_OUTBOX_LEASE_SECONDS="20",
        # Every writer logs in from 127.0.0.1, again after each failure.
        EXPEDITE_LOGIN_TRIES_PER_ADDRESS="1000000",
    )
    setup = "PostgreSQL + Redis" if args.scaled else "embedded (SQLite)"
    print(f"faults, {setup}: work dir {work}", flush=True)
    ok = False
    try:
        ok = run(args, env, work, inbox, scaled=args.scaled)
    finally:
        smtp.stop()
        drop()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")
    print(f"faults, {setup}: {'OK' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


def run(args, env: dict, work: Path, inbox: Inbox, *, scaled: bool) -> bool:
    log = work / "server.log"
    with log.open("a") as out:
        done = subprocess.run(
            [sys.executable, "-m", "expedite", "setup"], env=env, stdout=out, stderr=out
        )
    if done.returncode != 0:
        print(f"expedite setup failed; see {log}")
        return False
    # The demo's custody handovers mailed their codes directly, not through the outbox.
    with inbox.lock:
        inbox.ids.clear()
    # This process reads and checks the database with the server's settings, and only those
    # (CI sets DATABASE_URL for the scaled run; the embedded run must not read it).
    for key in [k for k in os.environ if k not in env]:
        del os.environ[key]
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()
    import faults_checks as checks

    fixtures = checks.prepare()
    server = Server(env, free_port(), log, scaled=scaled)
    server.start()
    acks: dict[str, list] = {"api": [], "form": [], "failed": []}
    lock = threading.Lock()

    def record(kind: str, item: dict) -> None:
        with lock:
            acks[kind].append(item)

    halt = threading.Event()
    writers = [Writer(n, server.base, fixtures, halt, record) for n in range(args.writers)]
    rows = []
    try:
        if not until(lambda: server.health() == 200, 90):
            print(f"the server did not come up; see {log}")
            return False
        for w in writers:
            w.start()
        for _ in range(args.rounds):
            for target in TARGETS:
                rows.append(fault(server, target, settle=args.settle))
                print("  " + describe(rows[-1]), flush=True)
        time.sleep(args.settle)
    finally:
        halt.set()
        for w in writers:
            w.join(15)
    drained = checks.drain(args.drain)
    code = server.stop()
    leftovers = [p for p in tree(server.proc.pid) if alive(p)] if server.proc else []
    # The processes that send the outbox: the queue worker, and serve (its children with it).
    sender_kills = sum(r["target"] in ("queue worker", "serve") and r["ok"] for r in rows)
    result = checks.check(acks, inbox.ids, inbox.subjects, sender_kills=sender_kills)
    verify = subprocess.run(
        [sys.executable, "-m", "expedite", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
    )
    if scaled:
        checks.flush_queue()
    print(
        f"writes: {len(acks['api'])} cases by API and {len(acks['form'])} incidents by form "
        f"acknowledged, {len(acks['failed'])} not (refused or cut off by a kill)"
    )
    for error, n in collections.Counter(a["error"] for a in acks["failed"]).most_common(5):
        print(f"  not acknowledged x{n}: {error}")
    # A kill may cut a request off; a server error is a defect (it was lock-order deadlocks).
    server_errors = sum("answered 500" in a["error"] for a in acks["failed"])
    print(f"  server errors (500): {server_errors}")
    for line in result["lines"]:
        print("  " + line)
    print(f"outbox drained: {'yes' if drained else 'NO'}; server stopped with exit {code}")
    first = (verify.stdout or verify.stderr).strip().splitlines()
    print(f"expedite audit verify: exit {verify.returncode}: {first[0] if first else ''}")
    return (
        all(r["ok"] for r in rows)
        and result["ok"]
        and drained
        and code == 0
        and not leftovers
        and verify.returncode == 0
        and server_errors == 0
        and bool(acks["api"] and acks["form"])
    )


def describe(row: dict) -> str:
    text = f"kill -9 {row['target']:<16} pid {row.get('pid', '-'):<7}"
    if "children_gone_s" in row:
        text += f" children gone in {row['children_gone_s']} s, restarted by the script;"
    if "back_s" in row:
        text += f" /healthz 200 again after {row['back_s']} s"
        text += f" ({row['unhealthy_polls']} polls not 200)"
    return text + ("" if row["ok"] else f"  FAILED: {row['note']}")


if __name__ == "__main__":
    sys.exit(main())
