"""The portal's limits, counted in the shared cache (expedite.common.ratelimit), so every server
process counts towards one limit. See docs/portal.md.

Opening a link is counted per link and per client address: guessing tokens from one address
gets nowhere. One-time codes are counted per link and per recipient, never per address, so
clients behind one office's NAT do not lock each other out:

* sending: a cooldown per link and recipient (a second press within it sends nothing), then
  fixed windows per link and per recipient (over all the links it receives codes for);
* checking: failed checks per link; a code itself allows CODE_MAX_ATTEMPTS wrong guesses.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass

from django.conf import settings

from expedite import clock
from expedite.common import ratelimit
from expedite.common.addresses import address_group, client_address

# Kept under its old name for the views that record the address.
client_ip = client_address


def _link_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def allow(request, kind: str, token: str) -> bool:
    """One lookup of a link: allowed unless the link or the address is over its limit. Both
    are counted either way."""
    limit, window = settings.EXPEDITE_PORTAL_RATE_LIMITS[kind]
    now = clock.now()
    by_token = ratelimit.hit(
        f"portal:{kind}:t", _link_key(token), limit=limit, window=window, now=now
    )
    by_ip = ratelimit.hit(
        f"portal:{kind}:ip",
        address_group(client_address(request)),
        limit=limit,
        window=window,
        now=now,
    )
    return by_token and by_ip


def retry_at(kind: str, *, now: dt.datetime) -> dt.datetime:
    """When a refused `kind` may be tried again: the end of its current window."""
    _limit, window = settings.EXPEDITE_PORTAL_RATE_LIMITS[kind]
    return ratelimit.window_end(window=window, now=now)


class Why(enum.Enum):
    COOLDOWN = "cooldown"  # a code went to this recipient through this link moments ago
    LIMIT = "limit"  # too many codes, or too many failed checks, in the window


@dataclass(frozen=True)
class Refused:
    why: Why
    until: dt.datetime  # the first instant the client may try again


_COOLDOWN = "portal:code:cooldown"


def _recipient(token: str, contact_id: int) -> str:
    return f"{_link_key(token)}:{contact_id}"


def code_resend_at(token: str, contact_id: int, *, now: dt.datetime) -> dt.datetime | None:
    """When a new code may go to the contact through this link; None: now."""
    seconds = settings.EXPEDITE_PORTAL_CODE_COOLDOWN_SECONDS
    return ratelimit.cooldown_until(
        _COOLDOWN, _recipient(token, contact_id), seconds=seconds, now=now
    )


def code_send_begin(token: str, contact_id: int, *, now: dt.datetime) -> Refused | None:
    """One code about to be sent to `contact_id` through the link: None, go ahead; else why
    not and until when. Within the cooldown nothing is counted, so a second press costs the
    client nothing; past it the send counts for the link and for the recipient."""
    seconds = settings.EXPEDITE_PORTAL_CODE_COOLDOWN_SECONDS
    recipient = _recipient(token, contact_id)
    until = ratelimit.cooldown_start(_COOLDOWN, recipient, seconds=seconds, now=now)
    if until is not None:
        return Refused(Why.COOLDOWN, until)
    limits = settings.EXPEDITE_PORTAL_RATE_LIMITS
    counts = (
        ("portal:code:t", _link_key(token), limits["code"]),
        ("portal:code:to", str(contact_id), limits["code_recipient"]),
    )
    over = [
        ratelimit.window_end(window=window, now=now)
        for scope, identity, (limit, window) in counts
        if not ratelimit.hit(scope, identity, limit=limit, window=window, now=now)
    ]
    if over:
        ratelimit.cooldown_cancel(_COOLDOWN, recipient)
        return Refused(Why.LIMIT, max(over))
    return None


def code_send_failed(token: str, contact_id: int, *, now: dt.datetime) -> None:
    """Nothing was sent (no such contact, the mail server down): the client may try again at
    once, and the attempt does not count."""
    ratelimit.cooldown_cancel(_COOLDOWN, _recipient(token, contact_id))
    limits = settings.EXPEDITE_PORTAL_RATE_LIMITS
    ratelimit.release("portal:code:t", _link_key(token), window=limits["code"][1], now=now)
    ratelimit.release(
        "portal:code:to", str(contact_id), window=limits["code_recipient"][1], now=now
    )


def code_check_begin(token: str, *, now: dt.datetime) -> Refused | None:
    """One check of an entered code through the link: None, go ahead; else until when the
    link is refused. Counted before the check; `code_check_succeeded` gives a right code's
    hit back, so only failed checks use the limit up."""
    limit, window = settings.EXPEDITE_PORTAL_RATE_LIMITS["verify"]
    if ratelimit.hit("portal:verify:t", _link_key(token), limit=limit, window=window, now=now):
        return None
    return Refused(Why.LIMIT, ratelimit.window_end(window=window, now=now))


def code_check_succeeded(token: str, *, now: dt.datetime) -> None:
    _limit, window = settings.EXPEDITE_PORTAL_RATE_LIMITS["verify"]
    ratelimit.release("portal:verify:t", _link_key(token), window=window, now=now)
