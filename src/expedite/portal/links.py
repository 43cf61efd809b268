"""Signed portal links: the token names one case and cannot be forged without SECRET_KEY."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

SALT = "expedite.portal.case"


def portal_token(case) -> str:
    return signing.dumps({"case": case.pk}, salt=SALT, compress=True)


def case_id_from_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    case_id = data.get("case") if isinstance(data, dict) else None
    return case_id if isinstance(case_id, int) else None


def portal_path(case) -> str:
    return reverse("portal_case", kwargs={"token": portal_token(case)})
