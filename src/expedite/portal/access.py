"""Who may do what through a portal link: the one place other apps ask.

Viewing needs only the link. Acting (uploading, signing, confirming a handover) needs the
client to have proved, within the last `VERIFIED_FOR`, that it reads a registered contact's
mail or phone: the one-time-code flow calls `mark_verified`, actions call `client_verified`.
"""

from __future__ import annotations

import datetime as dt

from expedite.cases.models import Case

from .links import case_id_from_token

VERIFIED_FOR = dt.timedelta(minutes=30)
_KEY = "portal_verified:{case}"


def case_for_token(token: str) -> Case | None:
    """The case a portal token opens, or None for a bad, expired or revoked token."""
    case_id = case_id_from_token(token)
    if case_id is None:
        return None
    return Case.objects.select_related("client", "service").filter(pk=case_id).first()


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
