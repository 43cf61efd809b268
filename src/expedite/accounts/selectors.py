from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.utils.translation import get_language

from expedite import clock
from expedite.domain.roles import (
    ROLE_NAMES_EN,
    ROLE_NAMES_ZH,
    Capability,
    Role,
    can,
    roles_from_names,
)

from .models import ApiToken, StaffContact, StaffLanguage


def user_roles(user) -> frozenset[Role]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_expedite_roles", None)
    if cached is None:
        cached = roles_from_names(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {Role.ADMIN}
        user._expedite_roles = cached
    return cached


def user_can(user, capability: Capability) -> bool:
    return can(user_roles(user), capability)


def user_role_labels(user) -> list[str]:
    names = ROLE_NAMES_EN if (get_language() or "").startswith("en") else ROLE_NAMES_ZH
    return [names[r] for r in Role if r in user_roles(user)]


def api_token_user(raw: str):
    """The active user owning this raw token, or None. Records the time of use."""
    if not raw:
        return None
    digest = hashlib.sha256(raw.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Once a minute at most: a write on every request serialises a busy client's calls.
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def staff_display_name(user) -> str:
    """Chinese names read family name first with no space (张敏); others "First Last"."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if not (first or last):
        return user.get_username()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def staff_phone(user) -> str:
    """The staff member's work phone as entered in the admin; "" when none is on record."""
    if user is None:
        return ""
    return StaffContact.objects.filter(user=user).values_list("phone", flat=True).first() or ""


# Where a session keeps its account's chosen language ("" for none): read from the account
# once per session (web.middleware), updated when the member switches (views.set_language).
LANGUAGE_SESSION_KEY = "account_language"


def staff_languages(user_ids) -> dict[int, str]:
    """Each user's chosen language; the firm's (settings.LANGUAGE_CODE) for one who chose none."""
    ids = list(user_ids)
    chosen = dict(StaffLanguage.objects.filter(user_id__in=ids).values_list("user_id", "language"))
    return {pk: chosen.get(pk, settings.LANGUAGE_CODE) for pk in ids}


def staff_language(user) -> str:
    if user is None or user.pk is None:
        return settings.LANGUAGE_CODE
    return staff_languages([user.pk])[user.pk]


def wecom_userids(user_ids) -> dict[int, str]:
    """user id → 企业微信 account, for the users that have one."""
    return dict(
        StaffContact.objects.filter(user_id__in=list(user_ids))
        .exclude(wecom_userid="")
        .values_list("user_id", "wecom_userid")
    )
