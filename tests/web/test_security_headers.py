"""Headers and settings that protect every page: the Content-Security-Policy everywhere, HTTPS
and HSTS in production, and no debug pages there. `check --deploy` leaves only the firm's own
domain choices."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from expedite.web.security import POLICY
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_kind_of_page_carries_the_policy(client, world):
    assert client.get(reverse("login")).headers["Content-Security-Policy"] == POLICY
    client.login(username="zhang", password=PASSWORD)
    for path in ("/", "/api/v1/docs", "/healthz"):
        assert client.get(path).headers["Content-Security-Policy"] == POLICY, path
    assert "script-src 'self'" in POLICY and "unsafe-eval" not in POLICY
    assert "frame-ancestors 'none'" in POLICY and "object-src 'none'" in POLICY


def test_no_template_has_an_inline_script_or_handler():
    """script-src 'self' refuses them: a button would silently do nothing."""
    import re
    from pathlib import Path

    import expedite

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=\s*[\"']|javascript:", re.I)
    found = [
        f"{path.name}: {m.group(0)}"
        for path in Path(expedite.__file__).parent.rglob("templates/**/*.html")
        for m in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def _production(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_", "DEBUG"))
    }
    env.update(
        EXPEDITE_ENV="production",
        SECRET_KEY="x" * 64 + "production-only-secret-key-for-the-check",
        ALLOWED_HOSTS="expedite.firm.example",
        DATABASE_URL="sqlite:////tmp/expedite-deploy-check.sqlite3",
        EXPEDITE_QUEUE_URL="sqlite:////tmp/expedite-deploy-check-queue.sqlite3",
        **extra,
    )
    return env


def _expedite(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "expedite", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_leaves_only_the_firms_own_domain_choices():
    """HTTPS redirect (W008) and HSTS (W004) are on in production; whether HSTS covers every
    subdomain of the firm's domain (W005) or goes on the browsers' preload list (W021) is the
    firm's to decide (EXPEDITE_HSTS_INCLUDE_SUBDOMAINS, EXPEDITE_HSTS_PRELOAD)."""
    import re

    done = _expedite(_production(), "check", "--deploy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(re.findall(r"security\.(\w\d+)", done.stdout + done.stderr)) <= {"W005", "W021"}
    chosen = _production(EXPEDITE_HSTS_INCLUDE_SUBDOMAINS="1", EXPEDITE_HSTS_PRELOAD="1")
    done = _expedite(chosen, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr


def test_debug_is_refused_in_production():
    done = _expedite(_production(DEBUG="1"), "check")
    assert done.returncode != 0
    assert "DEBUG must be off when EXPEDITE_ENV=production" in done.stderr


def test_production_redirects_to_https_and_sends_hsts(settings, client, world):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code in (200, 503)  # the probe stays plain HTTP
    secure = client.get(reverse("login"), secure=True)
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
