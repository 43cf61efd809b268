"""Hand-offs: whoever must act next hears it at once — in the app, by e-mail, and on the team's
企业微信 where one is set up — with a link to the exact place to act, instead of waiting for
the next morning's digest.

Each message names one step of one case (its key), so an action repeated or retried never
sends a second copy. Call these inside the action's transaction: the message exists exactly
when the action does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model

from expedite.cases.models import Case
from expedite.cases.panels import panel_url
from expedite.domain.roles import Capability, Role, can, roles_from_names

from .models import OutboxMessage
from .notices import tell_staff
from .said import Body, Part


def staff_with(
    capability: Capability | None = None,
    *,
    roles: Iterable[Role] = (),
    holds: Callable[[frozenset[Role]], bool] | None = None,
) -> list:
    """Active staff who hold `capability`, one of `roles`, or roles `holds` accepts; in a
    stable order."""
    wanted = set(roles)
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .prefetch_related("groups")
        .distinct()
        .order_by("pk")
    )
    found = []
    for user in users:
        held = roles_from_names(g.name for g in user.groups.all())
        if (
            (capability is not None and can(held, capability))
            or held & wanted
            or (holds is not None and holds(held))
        ):
            found.append(user)
    return found


def hand_off(
    *,
    key: str,
    users: Iterable,
    case: Case | None,
    subject: Part,
    body: Body,
    now: dt.datetime,
    panel: str = "",
    link: str = "",
    besides: Iterable[int] = (),
) -> int:
    """Tell each of `users` (but the ones in `besides`, usually whoever just acted) that the
    case waits for them at `panel` of its page (or at `link`, a path on this site). `subject`
    and `body` are phrases, read in each recipient's language (see `tell_staff`). Returns how
    many messages were new."""
    skip = set(besides)
    people = [u for u in users if u is not None and u.is_active and u.pk not in skip]
    # One person, one message, whatever list they came from.
    unique = list({u.pk: u for u in people}.values())
    return tell_staff(
        key=f"handoff:{key}",
        users=unique,
        case=case,
        subject=subject,
        body=body,
        now=now,
        email=True,
        link=link or panel_url(case.pk, panel),
    )


def hand_off_done(key: str, *, now: dt.datetime) -> int:
    """The step a hand-off asked for was taken (by whoever): its in-app messages leave the
    recipients' 待我处理 as read. `key`: the hand-off's key, or the start of several."""
    return OutboxMessage.objects.filter(
        channel="inapp", key__startswith=f"handoff:{key}", read_at__isnull=True
    ).update(read_at=now)
