"""How many password tries an address gets: per account, and over all accounts.

A try is counted before the password is checked and given back when it succeeds, atomically
in the shared cache (expedite.common.ratelimit): tries sent in parallel, to any web process, can
never together pass the limit. An account is limited per address it is tried from, so whoever
knows a user name slows only their own address, never the owner logging in from elsewhere; an
address is also limited over all accounts, higher, so it cannot try a few passwords on every
user. Windows are fixed 15-minute periods.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from expedite.common import ratelimit
from expedite.common.addresses import address_group

WINDOW_SECONDS = 15 * 60
_ACCOUNT = "login:account-address"
_ADDRESS = "login:address"


def _account_key(username: str, address: str) -> str:
    return f"{username}\n{address_group(address)}"


def login_try_begin(*, username: str, address: str, now: dt.datetime) -> bool:
    """Count one try of `username` from `address`; False when either limit is already used up
    (the password must then not be checked)."""
    by_account = ratelimit.hit(
        _ACCOUNT,
        _account_key(username, address),
        limit=settings.EXPEDITE_LOGIN_TRIES_PER_ACCOUNT,
        window=WINDOW_SECONDS,
        now=now,
    )
    by_address = ratelimit.hit(
        _ADDRESS,
        address_group(address),
        limit=settings.EXPEDITE_LOGIN_TRIES_PER_ADDRESS,
        window=WINDOW_SECONDS,
        now=now,
    )
    return by_account and by_address


def login_try_succeeded(*, username: str, address: str, now: dt.datetime) -> None:
    """The owner got in: the account's failures from this address are forgotten and the try
    is given back to the address, so an office behind one address is never locked by its own
    staff logging in."""
    ratelimit.forget(_ACCOUNT, _account_key(username, address), window=WINDOW_SECONDS, now=now)
    ratelimit.release(_ADDRESS, address_group(address), window=WINDOW_SECONDS, now=now)
