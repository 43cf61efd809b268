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


def window_end(*, window: int, now: dt.datetime) -> dt.datetime:
    """When the fixed window containing `now` ends: the first instant a refused hit counts
    in a fresh window again."""
    start = int(now.timestamp()) // window * window
    return dt.datetime.fromtimestamp(start + window, tz=dt.UTC)


def _cooldown_key(scope: str, identity: str) -> str:
    return f"cd:{scope}:{hashlib.sha256(identity.encode()).hexdigest()[:32]}"


def cooldown_until(
    scope: str, identity: str, *, seconds: int, now: dt.datetime
) -> dt.datetime | None:
    """The instant the cooldown on (`scope`, `identity`) ends, or None when none runs at `now`."""
    started = cache.get(_cooldown_key(scope, identity))
    if started is None:
        return None
    until = dt.datetime.fromtimestamp(started, tz=dt.UTC) + dt.timedelta(seconds=seconds)
    return until if now < until else None


def cooldown_start(
    scope: str, identity: str, *, seconds: int, now: dt.datetime
) -> dt.datetime | None:
    """Start a cooldown of `seconds` on (`scope`, `identity`) unless one runs at `now`.

    None: started, the guarded work may go ahead. Otherwise the instant the running cooldown
    ends, and nothing changes. The cache's atomic add makes two requests sent together start
    it once: the second one is refused.
    """
    key = _cooldown_key(scope, identity)
    if cache.add(key, now.timestamp(), timeout=seconds):
        return None
    if (until := cooldown_until(scope, identity, seconds=seconds, now=now)) is not None:
        return until
    # A cooldown that ended at `now` but whose entry the cache has not dropped yet.
    cache.set(key, now.timestamp(), timeout=seconds)
    return None


def cooldown_cancel(scope: str, identity: str) -> None:
    """End the cooldown early: the work it guarded did not happen (nothing was sent)."""
    cache.delete(_cooldown_key(scope, identity))
