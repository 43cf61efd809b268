"""Reads of the custody ledger: who holds what since when, what is overdue, what waits.

`overdue_items` and `unconfirmed_movements` are building blocks for boards and reports;
like every staff page, their callers first check that the user may see cases
(`Capability.VIEW_CASES`, see `check_view`). The per-case and per-client reads check it
themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.domain.custody import (
    CLIENT_CONFIRMS,
    ItemState,
    MovementKind,
    is_overdue,
    overdue_cutoff,
)
from expedite.domain.errors import NotAllowed
from expedite.domain.roles import Capability
from expedite.workdays.selectors import firm_calendar

from .models import CustodyItem, CustodyMovement


def check_view(user) -> None:
    if not user_can(user, Capability.VIEW_CASES):
        raise NotAllowed(_("您没有查看证照印章保管记录的权限。"))


def _items(*related: str) -> QuerySet[CustodyItem]:
    movements = CustodyMovement.objects.select_related(
        "from_user", "to_user", "recorded_by", "confirmed_by"
    ).order_by("at", "pk")
    return CustodyItem.objects.select_related(
        "holder", *(related or ("client", "case"))
    ).prefetch_related(Prefetch("movements", queryset=movements))


def items_for_case(*, user, case) -> list[CustodyItem]:
    """The items handed over for this case, in the firm or returned (its case and client are
    the ones given, not read again)."""
    check_view(user)
    items = list(_items("holder").filter(case=case))
    for item in items:
        item.case, item.client = case, case.client
    return items


def items_in_firm(*, user) -> QuerySet[CustodyItem]:
    """Everything the firm holds; earliest expected return (so the overdue ones) first."""
    check_view(user)
    return (
        _items()
        .filter(state=ItemState.IN_FIRM)
        .order_by(F("expected_return").asc(nulls_last=True), "since", "pk")
    )


def overdue_items(now: dt.datetime) -> QuerySet[CustodyItem]:
    """Items still held by the firm after the end of the working hours of their expected-return
    day, as of `now` (timezone-aware); most overdue first.

    Held over a weekend or a public holiday still counts: an item due back on the Friday is
    overdue on the Saturday. See `expedite.domain.custody.overdue_cutoff`.
    """
    cutoff = overdue_cutoff(firm_calendar(), now)
    return (
        CustodyItem.objects.select_related("client", "case", "holder")
        .filter(state=ItemState.IN_FIRM, expected_return__lte=cutoff)
        .order_by("expected_return", "since", "pk")
    )


def unconfirmed_movements() -> QuerySet[CustodyMovement]:
    """Handovers the other party has not confirmed yet (待确认), oldest first."""
    return (
        CustodyMovement.objects.select_related(
            "item__client", "item__case", "from_user", "to_user", "recorded_by"
        )
        .filter(confirmed_at__isnull=True)
        .order_by("at", "pk")
    )


def awaiting_my_confirmation(*, user) -> QuerySet[CustodyMovement]:
    """Transfers this staff member is the one to confirm (see `confirming_staff_id`)."""
    check_view(user)
    return unconfirmed_movements().filter(
        Q(to_user=user) & ~Q(recorded_by=user)
        | Q(from_user=user) & Q(recorded_by=F("to_user")) & ~Q(recorded_by=user),
        kind=MovementKind.TRANSFER,
    )


def pending_for_client(client) -> QuerySet[CustodyMovement]:
    """What the client still has to confirm on its portal page (handovers with the firm)."""
    return unconfirmed_movements().filter(
        item__client=client, kind__in=[k.value for k in CLIENT_CONFIRMS]
    )


def staff_users() -> QuerySet:
    """Active staff (anyone with a role) who can receive an item."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__isnull=False)
        .distinct()
        .order_by("username")
    )


def movement_parties(movement: CustodyMovement) -> tuple[str, str]:
    """Display names of who handed over and who received."""
    giver = staff_display_name(movement.from_user) if movement.from_user else movement.from_client
    taker = staff_display_name(movement.to_user) if movement.to_user else movement.to_client
    return giver, taker


def client_side_parties(movement: CustodyMovement, *, liaison: str) -> tuple[str, str]:
    """The parties as the client reads them: its own contact, the liaison by name, any other
    colleague as the firm."""
    firm = settings.EXPEDITE_FIRM_NAME
    giver, taker = movement_parties(movement)
    if movement.from_user_id and giver != liaison:
        giver = firm
    if movement.to_user_id and taker != liaison:
        taker = firm
    return giver, taker


@dataclass
class ItemRow:
    item: CustodyItem
    holder_name: str
    overdue: bool
    can_move: bool
    movements: list[dict] = field(default_factory=list)
    pending: int = 0


def item_rows(items, *, user, now: dt.datetime) -> list[ItemRow]:
    """Items ready for a template: holder, overdue flag, history, what this user may do."""
    cal = firm_calendar()
    override = user_can(user, Capability.CUSTODY_OVERRIDE)
    may_record = user_can(user, Capability.CUSTODY_RECORD)
    rows = []
    for item in items:
        in_firm = item.state == ItemState.IN_FIRM
        row = ItemRow(
            item=item,
            holder_name=staff_display_name(item.holder) if item.holder else "",
            overdue=in_firm and is_overdue(cal, item.expected_return, now),
            can_move=may_record and in_firm and (item.holder_id == user.pk or override),
        )
        for m in item.movements.all():
            giver, taker = movement_parties(m)
            row.movements.append(
                {
                    "m": m,
                    "giver": giver,
                    "taker": taker,
                    "confirmer": staff_display_name(m.confirmed_by)
                    if m.confirmed_by
                    else m.confirmed_by_client,
                    "client_confirms": m.kind in CLIENT_CONFIRMS,
                }
            )
            row.pending += m.confirmed_at is None
        rows.append(row)
    return rows
