"""Short addresses for text messages: `/s/<code>` stands for a longer path on this site.

A code is random (10 characters of 62, about 59 bits) and says nothing itself; whoever holds it
reaches only the page it stands for, which asks for what that page always asks (a client's
portal still wants the one-time code before anything is changed). One code per target and
lifetime, so each message about a case carries the same short address.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Callable

from django.db import IntegrityError, transaction

from .models import ShortLink

ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def short_code(target: str, *, now: dt.datetime, expires_at: dt.datetime) -> str:
    """The code of a short address for `target` (a path on this site) valid until
    `expires_at`; the existing one when it is still valid until then."""
    if not target.startswith("/") or target.startswith("//"):
        raise ValueError("a short link leads to a path on this site")
    existing = (
        ShortLink.objects.filter(target=target, expires_at__gte=expires_at)
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
    )
    if existing:
        return existing
    for _ in range(5):
        try:
            with transaction.atomic():
                row = ShortLink.objects.create(
                    code=new_code(), target=target[:500], created_at=now, expires_at=expires_at
                )
            return row.code
        except IntegrityError:  # the same code drawn twice: draw again
            continue
    raise RuntimeError("could not draw an unused short code")


def short_target(code: str, *, now: dt.datetime) -> str | None:
    if not (isinstance(code, str) and len(code) == CODE_LENGTH and code.isalnum()):
        return None
    return (
        ShortLink.objects.filter(code=code, expires_at__gt=now)
        .values_list("target", flat=True)
        .first()
    )


# The client's page of a case, as (path, valid until) or None: the portal registers it when
# it starts (it sits above this app), so messages here can carry the link without importing it.
ClientPage = Callable[[object, dt.datetime], "tuple[str, dt.datetime] | None"]
_client_page: list[ClientPage] = []


def register_client_page(find: ClientPage) -> None:
    _client_page[:] = [find]


def client_short_code(case, *, now: dt.datetime) -> str | None:
    """The short code of the case's client page, or None when it has none (revoked)."""
    page = _client_page[0](case, now) if _client_page else None
    if page is None:
        return None
    path, until = page
    return short_code(path, now=now, expires_at=until)
