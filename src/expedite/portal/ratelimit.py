"""The portal's limits: fixed windows per link and per client address, counted in the shared
cache (expedite.common.ratelimit), so every server process counts towards one limit. See
docs/portal.md."""

from __future__ import annotations

import hashlib

from django.conf import settings

from expedite import clock
from expedite.common import ratelimit
from expedite.common.addresses import address_group, client_address

# Kept under its old name for the views that record the address.
client_ip = client_address


def allow(request, kind: str, token: str) -> bool:
    """One attempt of `kind` ("lookup" or "code"): allowed unless the link or the address is
    over its limit. Both are counted either way."""
    limit, window = settings.EXPEDITE_PORTAL_RATE_LIMITS[kind]
    now = clock.now()
    token_key = hashlib.sha256(token.encode()).hexdigest()
    by_token = ratelimit.hit(f"portal:{kind}:t", token_key, limit=limit, window=window, now=now)
    by_ip = ratelimit.hit(
        f"portal:{kind}:ip",
        address_group(client_address(request)),
        limit=limit,
        window=window,
        now=now,
    )
    return by_token and by_ip
