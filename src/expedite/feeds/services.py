"""Writes for calendar feeds: make (or renew) an address, stop one. One transaction, one
audit event each."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.models import Case
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, gettext_noop
from expedite.domain.roles import Capability

from .models import CalendarFeed

_SALT = "expedite.feeds.address"


def feed_token(feed: CalendarFeed) -> str:
    """The secret part of the feed's address: its id and a MAC over the id and its nonce."""
    mac = salted_hmac(_SALT, f"{feed.pk}:{feed.nonce}", algorithm="sha256").hexdigest()
    return f"{feed.pk}-{mac[:40]}"


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed the token names, or None (unknown, forged or stopped, or its owner may
    no longer see cases: left the firm or lost the role)."""
    pk, _sep, mac = (token or "").partition("-")
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18 and len(mac) == 40):
        return None
    live = CalendarFeed.objects.filter(pk=int(pk), revoked_at__isnull=True)
    feed = live.select_related("user", "created_by", "case__client").first()
    if feed is None or not constant_time_compare(feed_token(feed), token):
        return None
    # A case's feed answers to the person who made it.
    owner = feed.user if feed.case_id is None else feed.created_by
    if not user_can(owner, Capability.VIEW_CASES):
        return None
    return feed


def _require_staff(actor) -> None:
    if not user_can(actor, Capability.VIEW_CASES):
        raise NotAllowed(gettext_noop("您的角色无权订阅日历。"))


def _lock_owner(*, actor, case) -> None:
    # Two renewals at once (a double click) take turns instead of leaving two live addresses.
    model, pk = (Case, case.pk) if case is not None else (get_user_model(), actor.pk)
    list(model.objects.select_for_update(no_key=True).filter(pk=pk).values("pk"))


def _stop(feeds, *, actor, now) -> list[int]:
    stopped = list(feeds.filter(revoked_at__isnull=True).values_list("pk", flat=True))
    CalendarFeed.objects.filter(pk__in=stopped).update(revoked_at=now)
    return stopped


@transaction.atomic
def feed_renew(*, actor, case=None) -> CalendarFeed:
    """A new address for the actor's own calendar (or the case's); the old one stops."""
    _require_staff(actor)
    now = clock.now()
    owner = {"case": case} if case is not None else {"user": actor}
    _lock_owner(actor=actor, case=case)
    stopped = _stop(CalendarFeed.objects.filter(**owner), actor=actor, now=now)
    feed = CalendarFeed.objects.create(
        **owner, nonce=secrets.token_urlsafe(24), created_at=now, created_by=actor
    )
    audit_record(
        kind=AuditKind.CALENDAR_FEED_CREATED,
        actor=actor,
        case=case,
        payload={"feed_id": feed.pk, "replaced": stopped, "for": "case" if case else "person"},
    )
    return feed


@transaction.atomic
def feed_stop(*, actor, case=None) -> int:
    """Stop the actor's (or the case's) address; returns how many stopped (0 or 1)."""
    _require_staff(actor)
    owner = {"case": case} if case is not None else {"user": actor}
    stopped = _stop(CalendarFeed.objects.filter(**owner), actor=actor, now=clock.now())
    if stopped:
        audit_record(
            kind=AuditKind.CALENDAR_FEED_STOPPED,
            actor=actor,
            case=case,
            payload={"feed_ids": stopped, "for": "case" if case else "person"},
        )
    return len(stopped)
