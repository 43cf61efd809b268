"""Portal links: a signed (row id, nonce) pair, valid while its PortalLink row is current.

The raw token is `Signer(salt).sign_object({"l": id, "n": nonce})`: it cannot be made without
SECRET_KEY, and the row stores only the nonce and the token's SHA-256. Rebuilding the token from
the row needs SECRET_KEY too, which is how the case page can show the link again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.urls import reverse

from expedite import clock

from .models import PortalLink

SALT = "expedite.portal.link"


def sign(link_id: int, nonce: str) -> str:
    # Signer, not signing.dumps: no timestamp, so the same row always gives the same token.
    return signing.Signer(salt=SALT).sign_object({"l": link_id, "n": nonce}, compress=True)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def link_ttl() -> dt.timedelta:
    return dt.timedelta(days=settings.EXPEDITE_PORTAL_LINK_DAYS)


def token_of(link) -> str:
    return sign(link.pk, link.nonce)


def parse(token: str) -> tuple[int, str] | None:
    """(link id, nonce) of a well-signed token, else None."""
    if not isinstance(token, str) or not 10 <= len(token) <= 300:
        return None
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    link_id, nonce = data.get("l"), data.get("n")
    if not isinstance(link_id, int) or not isinstance(nonce, str):
        return None
    return link_id, nonce


def current_link(case, *, now: dt.datetime | None = None):

    now = now or clock.now()
    return (
        PortalLink.objects.filter(case=case, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )


def with_current_links(cases):
    """Prefetch each case's current link, so listing cases with their links is two queries."""

    current = PortalLink.objects.filter(revoked_at__isnull=True, expires_at__gt=clock.now())
    return cases.prefetch_related(
        Prefetch("portal_links", queryset=current, to_attr="current_portal_links")
    )


def portal_token(case) -> str | None:
    if hasattr(case, "current_portal_links"):
        link = case.current_portal_links[0] if case.current_portal_links else None
    else:
        link = current_link(case)
    return token_of(link) if link else None


def portal_path(case) -> str | None:
    """The current link's path, or None when the case has no current link (revoked, expired)."""
    token = portal_token(case)
    return reverse("portal_case", kwargs={"token": token}) if token else None


def client_page(case, now: dt.datetime) -> tuple[str, dt.datetime] | None:
    """(path, valid until) of the case's current link: what a text message's short link
    leads to."""
    link = current_link(case, now=now)
    if link is None:
        return None
    return reverse("portal_case", kwargs={"token": token_of(link)}), link.expires_at
