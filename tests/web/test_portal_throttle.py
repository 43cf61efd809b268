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
