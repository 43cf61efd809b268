"""Who may do what through a portal link: the one place other apps ask.

Viewing needs only the link. Acting (uploading, signing, confirming a handover) needs the
client to have proved, within the last `VERIFIED_FOR`, that it reads a registered contact's
mail or phone: the one-time-code flow calls `mark_verified`, actions call `client_verified`.
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from expedite import clock
from expedite.cases.models import Case

from . import links
from .models import PortalLink

VERIFIED_FOR = dt.timedelta(minutes=30)
_KEY = "portal_verified:{case}"


def case_for_token(token: str, *, request=None) -> Case | None:
    """The case a portal token opens, or None for a bad, expired or revoked token. With the
    `request`, the page is then in the client's language (see `portal_language`)."""

    parsed = links.parse(token)
    if parsed is None:
        return None
    link_id, nonce = parsed
    link = PortalLink.objects.select_related("case__client", "case__service").filter(pk=link_id)
    link = link.first()
    now = clock.now()
    if (
        link is None
        or not hmac.compare_digest(link.nonce, nonce)
        or not hmac.compare_digest(link.token_digest, links.digest(token))
        or not link.is_current(now)
    ):
        return None
    # A rough "last seen" for the case page; one write a minute at most.
    if link.last_used_at is None or now - link.last_used_at > dt.timedelta(minutes=1):
        PortalLink.objects.filter(pk=link.pk).update(last_used_at=now)
    if request is not None:
        speak_to_client(request, link.case)
    return link.case


def portal_language(request, case: Case) -> str:
    """What the portal speaks: the language this browser chose with the switch (a cookie that
    ends with the browser session), else the one the client's primary contact reads."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in {code for code, _name in settings.LANGUAGES}:
        return chosen
    return case.client.language()


def speak_to_client(request, case: Case) -> str:
    """Activate the portal's language for the rest of this request."""
    language = portal_language(request, case)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def not_found(request):
    """The one answer for every link that opens nothing: expired, revoked, guessed, malformed."""
    response = render(request, "portal/not_found.html", status=404)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def mark_verified(request, case: Case, *, now: dt.datetime, contact: str) -> None:
    request.session[_KEY.format(case=case.pk)] = {
        "until": (now + VERIFIED_FOR).isoformat(),
        "contact": contact,
    }


def client_verified(request, case: Case, *, now: dt.datetime) -> str | None:
    """The verified contact's name if this browser proved itself for this case recently."""
    entry = request.session.get(_KEY.format(case=case.pk))
    if not isinstance(entry, dict):
        return None
    try:
        until = dt.datetime.fromisoformat(entry["until"])
    except (KeyError, TypeError, ValueError):
        return None
    if now >= until:
        return None
    return entry.get("contact") or ""
