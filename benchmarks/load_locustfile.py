"""Locust users for benchmarks/load.py: clients on the portal, staff reading, staff writing.

Run by load.py, not by hand: it reads the fixtures load.py wrote (LOAD_FIXTURES: portal paths,
case and client ids, demo logins, API tokens) and appends every acknowledged write to
LOAD_ACKS as one JSON line (kind, case id, reason), which load.py checks against the database
after the run, and the run's figures to LOAD_STATS. User weights give the mix: 50% clients, 35% staff reading, 15% staff writing.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path

from locust import FastHttpUser, between, constant, events, task

FIXTURES = json.loads(Path(os.environ["LOAD_FIXTURES"]).read_text(encoding="utf-8"))
THINK = float(os.environ.get("LOAD_THINK", "0"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CREATED = re.compile(r"^/cases/(\d+)/$")

_acks: list[dict] = []
_staff = itertools.cycle(FIXTURES["staff"])
_writers = itertools.cycle(FIXTURES["writers"])


def _wait():
    return between(0, THINK) if THINK > 0 else constant(0)


def _figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        "p50": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95),
    }


@events.test_stop.add_listener
def _write_results(environment, **_kwargs):
    """Once the users are stopped: the acknowledged writes, and the final figures (locust's
    CSV files are written on an interval and may miss the last seconds)."""
    with Path(os.environ["LOAD_ACKS"]).open("a", encoding="utf-8") as out:
        for ack in _acks:
            out.write(json.dumps(ack, ensure_ascii=False) + "\n")
    _acks.clear()
    stats = environment.stats
    summary = {
        "total": _figures(stats.total),
        "rows": {name: _figures(e) for (name, _method), e in sorted(stats.entries.items())},
        "errors": sorted(
            ((e.name, str(e.error), e.occurrences) for e in stats.errors.values()),
            key=lambda x: -x[2],
        ),
    }
    Path(os.environ["LOAD_STATS"]).write_text(json.dumps(summary, ensure_ascii=False))


class _Staff(FastHttpUser):
    abstract = True
    wait_time = _wait()
    identity: dict

    def login(self) -> None:
        page = self.client.get("/login/", name="login form")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/login/",
            data={
                "username": self.identity["username"],
                "password": FIXTURES["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:  # 200 is the form again: wrong password or throttled
                r.failure(f"login as {self.identity['username']} answered {r.status_code}")

    def page(self, path: str, name: str) -> None:
        """A staff page; a redirect (to the login page) or an error is a failure."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{name} answered {r.status_code}")


class ClientUser(FastHttpUser):
    """A client opening the signed link the firm sent: the case page of the portal."""

    weight = 50
    wait_time = _wait()

    @task
    def portal_case(self):
        self.client.get(random.choice(FIXTURES["portal"]), name="portal: case page")


class StaffReader(_Staff):
    """Staff at work: the case list (searched now and then), case pages, the board, the
    schedule and, for supervisors and managers, the KPI dashboard."""

    weight = 35

    def on_start(self):
        self.identity = next(_staff)
        self.login()

    @task(4)
    def case_list(self):
        self.page("/", "staff: case list")

    @task(1)
    def case_search(self):
        self.page("/?q=" + random.choice(["营业执照", "JJ-", "注销", "许可"]), "staff: case search")

    @task(5)
    def case_detail(self):
        self.page(f"/cases/{random.choice(FIXTURES['cases'])}/", "staff: case page")

    @task(1)
    def board(self):
        self.page("/board/", "staff: board")

    @task(1)
    def schedule(self):
        self.page("/board/schedule/", "staff: schedule")

    @task(1)
    def kpi(self):
        if self.identity["kpi"]:
            self.page("/kpi/", "staff: kpi")
        else:
            self.page("/", "staff: case list")


class StaffWriter(_Staff):
    """Intake: a liaison (or a stand-in) opens new cases, through the page form (with its CSRF
    token, then the case page it lands on) or through the API with a token."""

    weight = 15

    def on_start(self):
        self.identity = next(_writers)
        self.login()

    def _payload(self) -> dict:
        return {
            "client": random.choice(FIXTURES["clients"]),
            "service": random.choice(FIXTURES["services"]),
            "requested_deadline": FIXTURES["deadline"],
            "reason": f"负载测试 {uuid.uuid4().hex[:12]}：客户收到书面通知，月底前须办结。",
        }

    @task
    def create_by_form(self):
        form = self.client.get("/cases/new/", name="write: new case form")
        token = CSRF.search(form.text or "")
        data = self._payload()
        data["csrfmiddlewaretoken"] = token.group(1) if token else ""
        with self.client.post(
            "/cases/new/",
            data=data,
            name="write: create case (form)",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            found = CREATED.match(r.headers.get("Location", "") or "")
            if r.status_code != 302 or not found:
                r.failure(f"case form answered {r.status_code}")
                return
            _acks.append({"via": "form", "id": int(found.group(1)), "reason": data["reason"]})
        self.page(found.group(0), "write: case page after create")

    @task
    def create_by_api(self):
        data = self._payload()
        body = {
            "client_id": data["client"],
            "service": data["service"],
            "requested_deadline": data["requested_deadline"],
            "reason": data["reason"],
        }
        with self.client.post(
            "/api/v1/cases",
            json=body,
            headers={"Authorization": f"Bearer {self.identity['token']}"},
            name="write: create case (API)",
            catch_response=True,
        ) as r:
            if r.status_code != 201:
                r.failure(f"API answered {r.status_code}")
                return
            _acks.append({"via": "api", "id": r.json()["id"], "reason": data["reason"]})


class BareUser(FastHttpUser):
    """The baseline: the same number of users against a bare Django view."""

    wait_time = _wait()

    @task
    def bare(self):
        self.client.get("/", name="baseline: bare view")
