"""Fixed-window counters in Django's cache: per link and per client IP.

With the default per-process memory cache each server process counts on its own; a shared cache
(CACHES in settings) makes the limits firm-wide. See docs/portal.md.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind the firm's TLS proxy every request comes from the proxy, so
    the last X-Forwarded-For entry (the one the proxy appended) is the client; entries before it
    are the client's own word and are ignored."""
    if settings.EXPEDITE_BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "-"


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one hit; False once the window already holds `limit` hits."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def allow(request, kind: str, token: str) -> bool:
    """One attempt of `kind` ("lookup" or "code"): allowed unless the link or the IP is over."""
    limit, window = settings.EXPEDITE_PORTAL_RATE_LIMITS[kind]
    token_key = hashlib.sha256(token.encode()).hexdigest()[:32]
    by_token = _hit(f"portal:{kind}:t:{token_key}", limit, window)
    by_ip = _hit(f"portal:{kind}:ip:{client_ip(request)}", limit, window)
    return by_token and by_ip
