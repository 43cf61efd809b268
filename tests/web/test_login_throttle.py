"""The log-in throttle slows whoever guesses passwords without locking the owner out: tries are
limited per account and address, and per address overall; the address is the client's, also
behind the firm's TLS proxy; the count is shared by every process and cannot be overrun by
trying in parallel."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.test import Client

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from tests.conftest import PASSWORD

PROXY = "10.0.0.2"
THROTTLED = "登录失败次数过多"


@pytest.fixture
def shared_store(settings):
    """The product's default store: the cache table in the database."""
    from expedite.common.env import cache_from_url

    settings.CACHES = {"default": cache_from_url("db://", key_prefix="login-test")}


def _login(client, username, password, **meta):
    return client.post("/login/", {"username": username, "password": password}, **meta)


def _via_proxy(address: str, spoofed: str = "") -> dict:
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def test_the_client_is_the_right_most_forwarded_address_that_is_not_our_proxy(rf, settings):
    import ipaddress

    from expedite.common.addresses import client_address

    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.1.2.3")
    settings.EXPEDITE_BEHIND_TLS_PROXY = False
    assert client_address(request) == PROXY
    settings.EXPEDITE_BEHIND_TLS_PROXY = True
    assert client_address(request) == "10.1.2.3"
    settings.EXPEDITE_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_address(request) == "203.0.113.9"


def test_behind_the_proxy_failures_from_one_address_do_not_lock_out_another(
    client, world, settings, shared_store
):
    settings.EXPEDITE_BEHIND_TLS_PROXY = True
    for i in range(25):
        _login(client, f"guess{i}", "wrong", **_via_proxy("203.0.113.66"))
    response = _login(Client(), "zhang", PASSWORD, **_via_proxy("198.51.100.20"))
    assert response.status_code == 302


def test_behind_the_proxy_an_address_that_spoofs_the_header_is_still_limited(
    client, world, settings, shared_store
):
    """What the client writes into X-Forwarded-For itself stands left of what the proxy
    appended, and changing it does not make a new address."""
    settings.EXPEDITE_BEHIND_TLS_PROXY = True
    settings.EXPEDITE_LOGIN_TRIES_PER_ADDRESS = 6
    for i in range(6):
        _login(client, f"guess{i}", "wrong", **_via_proxy("203.0.113.66", spoofed=f"10.9.9.{i}"))
    refused = _login(client, "li", PASSWORD, **_via_proxy("203.0.113.66", spoofed="10.9.9.99"))
    assert THROTTLED in refused.content.decode()
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).count() == 6


def test_the_audit_record_has_the_forwarded_address(client, world, settings, shared_store):
    settings.EXPEDITE_BEHIND_TLS_PROXY = True
    _login(client, "zhang", "wrong", **_via_proxy("203.0.113.9", spoofed="1.2.3.4"))
    failed = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).get()
    assert failed.payload["ip"] == "203.0.113.9"
    _login(client, "zhang", PASSWORD, **_via_proxy("203.0.113.9"))
    login = AuditEvent.objects.filter(kind=AuditKind.LOGIN, actor="zhang").get()
    assert login.payload["ip"] == "203.0.113.9"


def test_a_known_user_name_attacked_from_one_address_still_logs_in_from_another(
    client, world, shared_store
):
    for _ in range(10):
        _login(client, "zhang", "wrong", REMOTE_ADDR="203.0.113.66")
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).count() == 5
    # The attacker's address is refused even the right password, without trying it ...
    refused = _login(client, "zhang", PASSWORD, REMOTE_ADDR="203.0.113.66")
    assert THROTTLED in refused.content.decode()
    # ... while the owner, elsewhere, gets in.
    owner = Client()
    assert _login(owner, "zhang", PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_a_success_gives_the_tries_back(client, world, shared_store):
    for _ in range(4):
        _login(client, "zhang", "wrong", REMOTE_ADDR="198.51.100.20")
    assert _login(client, "zhang", PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302
    client.post("/logout/")
    for _ in range(4):
        _login(client, "zhang", "wrong", REMOTE_ADDR="198.51.100.20")
    assert _login(client, "zhang", PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_the_admin_log_in_is_throttled_too(client, world, shared_store):
    for _ in range(5):
        _login(client, "root", "wrong")
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).count() == 5


# --- many processes, many threads: the live server -----------------------------------------

_GUNICORN_AT = """
import datetime as dt
import sys

import time_machine
from gunicorn.app.wsgiapp import run

with time_machine.travel(dt.datetime.fromisoformat(sys.argv[1]), tick=True):
    sys.argv = ["gunicorn", *sys.argv[2:]]
    run()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_gunicorn(tmp_path):
    """The product as deployed: a migrated SQLite database, a user, and gunicorn with two
    processes of eight threads, at the test's pinned instant. Yields (base url, env)."""
    from django.utils import timezone

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="expedite.web.settings", EXPEDITE_VAR_DIR=str(tmp_path))
    instant = timezone.now().isoformat()
    at = [sys.executable, "-m", "tests.at_instant", instant]
    subprocess.run([*at, "migrate"], env=env, check=True, capture_output=True, timeout=180)
    create = f"from django.contrib.auth.models import User; User.objects.create_user('zhang', password='{PASSWORD}')"
    subprocess.run([*at, "shell", "--no-imports", "-c", create], env=env, check=True, timeout=60)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _GUNICORN_AT, instant, "expedite.web.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread",
         "--threads", "8"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2).close()  # noqa: S310 - loopback
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield base, env
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_forty_concurrent_wrong_passwords_get_at_most_the_limit_of_tries(live_gunicorn):
    base, env = live_gunicorn
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"username": "zhang", "password": "wrong", "csrfmiddlewaretoken": token}
    ).encode()
    start = threading.Barrier(40)
    answers: list[str] = []

    def attempt():
        start.wait()
        request = urllib.request.Request(  # noqa: S310 - loopback only
            base + "/login/", data=body, headers={"Referer": base}
        )
        answers.append(opener.open(request, timeout=60).read().decode())

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 40
    tried = sum(THROTTLED not in answer for answer in answers)
    count = "from expedite.audit.models import AuditEvent; print(AuditEvent.objects.filter(kind='auth.login_failed').count())"
    recorded = subprocess.run(
        [sys.executable, "-m", "expedite", "shell", "--no-imports", "-c", count],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert tried <= 5, f"{tried} of 40 concurrent tries had the password checked"
    assert int(recorded) == tried
