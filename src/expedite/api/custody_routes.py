"""Custody of the client's items over the API: a case's items, handovers, confirmation."""

import datetime as dt

from django.contrib.auth import get_user_model
from ninja import Field, Router, Schema, Status

from expedite import clock
from expedite.accounts.selectors import staff_display_name
from expedite.cases import selectors as case_selectors
from expedite.custody import selectors, services
from expedite.custody.models import CustodyItem, CustodyMovement
from expedite.domain.errors import NotFound, ValidationFailed, gettext_noop

from .schemas import ErrorOut

router = Router(tags=["custody"])
_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class MovementOut(Schema):
    id: int
    kind: str
    giver: str
    receiver: str
    purpose: str
    at: dt.datetime
    recorded_by: str
    confirmed: bool
    confirmed_at: dt.datetime | None
    confirmed_by: str
    confirm_method: str


class ItemOut(Schema):
    id: int
    kind: str
    label: str
    state: str
    holder: str | None = Field(None, description="保管的员工；已归还客户时为 null")
    since: dt.datetime
    expected_return: dt.date | None
    overdue: bool
    movements: list[MovementOut]


class CheckInIn(Schema):
    kind: str = Field(..., description="company_seal, finance_seal, tax_ukey, …")
    label: str = ""
    purpose: str
    expected_return: dt.date = Field(..., description="本所工作日")


class TransferIn(Schema):
    to_user: int = Field(..., description="接收员工的用户 id")
    purpose: str


class CheckOutIn(Schema):
    purpose: str


def _movement_out(m: CustodyMovement) -> dict:
    giver, receiver = selectors.movement_parties(m)
    return {
        "id": m.pk,
        "kind": m.kind,
        "giver": giver,
        "receiver": receiver,
        "purpose": m.purpose,
        "at": m.at,
        "recorded_by": staff_display_name(m.recorded_by),
        "confirmed": m.confirmed_at is not None,
        "confirmed_at": m.confirmed_at,
        "confirmed_by": staff_display_name(m.confirmed_by)
        if m.confirmed_by
        else m.confirmed_by_client,
        "confirm_method": m.confirm_method,
    }


def _items_out(request, case) -> list[dict]:
    items = selectors.items_for_case(user=request.user, case=case)
    rows = selectors.item_rows(items, user=request.user, now=clock.now())
    return [
        {
            "id": r.item.pk,
            "kind": r.item.kind,
            "label": r.item.label,
            "state": r.item.state,
            "holder": r.holder_name or None,
            "since": r.item.since,
            "expected_return": r.item.expected_return,
            "overdue": r.overdue,
            "movements": [_movement_out(h["m"]) for h in r.movements],
        }
        for r in rows
    ]


def _item(request, case_id: int, item_id: int) -> CustodyItem:
    case = case_selectors.access_case(user=request.user, pk=case_id)
    item = CustodyItem.objects.filter(pk=item_id, case=case).first()
    if item is None:
        raise NotFound(gettext_noop("找不到该物品。"))
    return item


def _movement(request, case_id: int, movement_id: int) -> CustodyMovement:
    case = case_selectors.access_case(user=request.user, pk=case_id)
    movement = CustodyMovement.objects.filter(pk=movement_id, item__case=case).first()
    if movement is None:
        raise NotFound(gettext_noop("找不到该交接记录。"))
    return movement


@router.get("/{case_id}/custody", response={200: list[ItemOut], 403: ErrorOut, 404: ErrorOut})
def list_items(request, case_id: int):
    case = case_selectors.access_case(user=request.user, pk=case_id)
    return _items_out(request, case)


@router.post("/{case_id}/custody/check-in", response={201: MovementOut, **_ERRORS})
def check_in(request, case_id: int, payload: CheckInIn):
    case = case_selectors.access_case(user=request.user, pk=case_id)
    movement = services.check_in(
        actor=request.user,
        client=case.client,
        case=case,
        kind=payload.kind,
        label=payload.label,
        purpose=payload.purpose,
        expected_return=payload.expected_return,
        now=clock.now(),
    )
    return Status(201, _movement_out(movement))


@router.post("/{case_id}/custody/items/{item_id}/transfer", response={201: MovementOut, **_ERRORS})
def transfer(request, case_id: int, item_id: int, payload: TransferIn):
    item = _item(request, case_id, item_id)
    to_user = get_user_model().objects.filter(pk=payload.to_user).first()
    if to_user is None:
        raise ValidationFailed(gettext_noop("请选择接收的员工。"), field="to_user")
    movement = services.transfer(
        actor=request.user, item=item, to_user=to_user, purpose=payload.purpose, now=clock.now()
    )
    return Status(201, _movement_out(movement))


@router.post("/{case_id}/custody/items/{item_id}/check-out", response={201: MovementOut, **_ERRORS})
def check_out(request, case_id: int, item_id: int, payload: CheckOutIn):
    item = _item(request, case_id, item_id)
    movement = services.check_out(
        actor=request.user, item=item, purpose=payload.purpose, now=clock.now()
    )
    return Status(201, _movement_out(movement))


@router.post(
    "/{case_id}/custody/movements/{movement_id}/confirm", response={200: MovementOut, **_ERRORS}
)
def confirm(request, case_id: int, movement_id: int):
    movement = _movement(request, case_id, movement_id)
    movement = services.confirm_by_staff(actor=request.user, movement=movement, now=clock.now())
    return _movement_out(movement)


@router.post(
    "/{case_id}/custody/movements/{movement_id}/resend-code",
    response={200: dict[str, str], **_ERRORS},
)
def resend(request, case_id: int, movement_id: int):
    movement = _movement(request, case_id, movement_id)
    row = services.resend_code(actor=request.user, movement=movement, now=clock.now())
    return {"sent_to": row.sent_to_name, "expires_at": row.expires_at.isoformat()}
