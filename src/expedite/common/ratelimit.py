"""Fixed-window counters in the shared cache (EXPEDITE_CACHE_URL): the database or Redis, the
same store for every web process.

A hit is counted before the work it guards, with the cache's atomic add and incr, so
concurrent requests can never together pass a limit that each one checked alone. The window
is the fixed period of `window` seconds containing `now` (an input, like every instant the
product decides on); the cache's own expiry only clears old counters away.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib

from django.core.cache import cache


def _key(scope: str, identity: str, *, window: int, now: dt.datetime) -> str:
    # Identities are user names and addresses: hashed, so any text makes a valid, short key.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{int(now.timestamp()) // window}"


def hit(scope: str, identity: str, *, limit: int, window: int, now: dt.datetime) -> bool:
    """Count one hit on (`scope`, `identity`); True while the window holds at most `limit`."""
    key = _key(scope, identity, window=window, now=now)
    for _attempt in range(3):
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key) <= limit
        except ValueError:  # expired or evicted between add and incr: count again
            continue
    return False


def release(scope: str, identity: str, *, window: int, now: dt.datetime) -> None:
    """Give back one hit counted in the window containing `now` (an attempt that succeeded)."""
    # A ValueError: the window's counter is already gone.
    with contextlib.suppress(ValueError):
        cache.decr(_key(scope, identity, window=window, now=now))


def forget(scope: str, identity: str, *, window: int, now: dt.datetime) -> None:
    """Drop the count of the window containing `now`."""
    cache.delete(_key(scope, identity, window=window, now=now))
