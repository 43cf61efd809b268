"""Every /p/ route counts towards the lookup limit: guessing tokens through the upload or the
handover confirmation is no cheaper than through the page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/p/{t}/materials/license/upload/", "/p/{t}/materials/complete/", "/p/{t}/custody/1/"],
)
def test_guessed_tokens_are_throttled_on_every_route(client, world, path, settings):
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "lookup": (5, 60),
    }
    codes = [client.post(path.format(t=f"guess{i}")).status_code for i in range(8)]
    assert 429 in codes
    assert codes[:5].count(429) == 0


def test_behind_the_proxy_the_limit_keys_on_the_address_the_proxy_saw(rf, settings):
    from expedite.portal.ratelimit import client_ip

    settings.EXPEDITE_BEHIND_TLS_PROXY = True
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    settings.EXPEDITE_BEHIND_TLS_PROXY = False
    assert client_ip(request) == "10.0.0.1"


_COUNT_HITS = """
import sys

import django
import time_machine

django.setup()
from django.test import RequestFactory

from django.utils import timezone

from expedite.common import ratelimit

# One counter: with two (the link's and the address's, as a portal lookup counts), processes
# interleaving can refuse each other below the limit, so only "at most" would hold.
with time_machine.travel(sys.argv[1], tick=False):
    now = timezone.now()
    hits = (
        ratelimit.hit("portal:lookup:t", "one-link", limit=5, window=60, now=now)
        for _ in range(int(sys.argv[2]))
    )
    print(sum(hits))
"""


def test_server_processes_share_one_count(tmp_path):
    """Every web process counts in the same store: two processes together get the limit once,
    not once each (the default store is the database, here SQLite)."""
    import os
    import subprocess
    import sys

    from django.utils import timezone

    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_"))
        },
        "DJANGO_SETTINGS_MODULE": "expedite.web.settings",
        "EXPEDITE_VAR_DIR": str(tmp_path / "var"),
    }
    subprocess.run(
        [sys.executable, "-m", "expedite", "createcachetable"], env=env, check=True, timeout=60
    )
    instant = timezone.now().isoformat()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _COUNT_HITS, instant, "8"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    allowed = [int(p.communicate(timeout=60)[0].strip()) for p in processes]
    assert sum(allowed) == 5, allowed
