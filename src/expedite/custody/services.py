"""Handovers of the client's items: each one transaction and one audit event.

The holder changes when the handover is recorded (the item has physically moved); the other
party's confirmation follows: the client with a one-time code on its portal page, a colleague
in the app. Nobody confirms a handover they recorded themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from expedite.accounts.selectors import staff_display_name, user_can, user_roles
from expedite.audit.services import audit_record
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.codes import (
    CODE_MAX_ATTEMPTS,
    CodeProblem,
    CodeState,
    check_code,
    code_digest,
    new_code,
)
from expedite.domain.custody import (
    CLIENT_CONFIRMS,
    CODE_PROBLEM_MESSAGES,
    CODE_TTL,
    NEEDS_DESCRIPTION,
    ConfirmMethod,
    ItemKind,
    ItemState,
    MovementKind,
    check_expected_return,
    confirming_staff_id,
)
from expedite.domain.errors import DomainError, NotAllowed, NotFound, ValidationFailed, gettext_noop
from expedite.domain.phrases import Phrase
from expedite.domain.roles import Capability
from expedite.domain.text import clean_text
from expedite.notify.codes import code_text
from expedite.notify.handoffs import hand_off, hand_off_done
from expedite.notify.notices import wants
from expedite.workdays.selectors import firm_calendar

from . import messages  # noqa: F401 - registers the phrases of the hand-offs below
from .models import CustodyItem, CustodyMovement, HandoverCode


def _code_key() -> bytes:
    return hashlib.sha256(b"expedite.custody.code:" + settings.SECRET_KEY.encode()).digest()


def _require_staff(actor) -> None:
    if not user_can(actor, Capability.CUSTODY_RECORD):
        raise NotAllowed(_("您的角色无权登记证照印章的交接。"))


def _purpose(raw) -> str:
    return clean_text(raw, field="purpose", label=gettext_noop("用途"), max_length=200)


def _contact(client):
    """The client's primary contact, who receives the codes: by e-mail or text message."""
    contact = client.contacts.first()  # primary first
    if contact is None or not (wants(contact, "email") or wants(contact, "sms")):
        raise ValidationFailed(
            _(
                "客户的主要联系人没有可用的电子邮箱或手机号码，无法发送交接确认码；"
                "请先在客户页面补充。"
            ),
            field="client",
        )
    return contact


def _locked(item: CustodyItem) -> CustodyItem:
    return (
        CustodyItem.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client", "case")
        .get(pk=item.pk)
    )


def _payload(movement: CustodyMovement, **extra) -> dict:
    item = movement.item
    return {
        "item": item.pk,
        "movement": movement.pk,
        "kind": item.kind,
        "label": item.label,
        "client": item.client_id,
        "from": staff_display_name(movement.from_user) or movement.from_client,
        "to": staff_display_name(movement.to_user) or movement.to_client,
        "purpose": movement.purpose,
        **extra,
    }


def _send_code(movement: CustodyMovement, contact, now: dt.datetime) -> HandoverCode:
    """Replace any earlier code of this movement and e-mail a new one to the contact."""
    HandoverCode.objects.filter(
        movement=movement, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    code = new_code()
    # Kept in memory for the caller only (the demo confirms with it); never stored or shown.
    movement.sent_code = code
    row = HandoverCode.objects.create(
        movement=movement,
        digest=code_digest(code, key=_code_key(), scope=f"custody:{movement.pk}"),
        sent_to_name=contact.name,
        sent_to_email=contact.email if wants(contact, "email") else "",
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    item = movement.item
    # In the contact's language, whoever on the staff recorded the handover.
    with override(contact.language):
        what = f"{item.get_kind_display()} {item.label}".strip()
        if movement.kind == MovementKind.CHECK_IN:
            action = _("您交给我们保管的“%(item)s”") % {"item": what}
        else:
            action = _("我们归还给您的“%(item)s”") % {"item": what}
        subject = _("交接确认码 %(code)s") % {"code": code}
        body = _(
            "%(name)s，您好：\n\n请确认%(action)s（用途：%(purpose)s）。\n"
            "确认码：%(code)s\n\n请在办理进度页面的“待您确认的交接”处输入此确认码，30 分钟内有效，"
            "只能使用一次。如非本人经手，请勿输入并联系我们。\n\n%(firm)s"
        ) % {
            "name": contact.name,
            "action": action,
            "purpose": movement.purpose,
            "code": code,
            "firm": settings.EXPEDITE_FIRM_NAME,
        }
    # Sent inside the transaction: if the code cannot go out, the handover is not recorded
    # either, and the user is told to try again.
    if not wants(contact, "email"):
        code_text(
            phone=contact.phone,
            code=code,
            now=now,
            purpose=f"custody:{movement.pk}",
            case=item.case,
            contact=contact,
        )
        return row
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email])
    except OSError as exc:
        raise DomainError(
            gettext_noop("确认码邮件发送失败，本次交接未登记，请稍后重试。"), field="email"
        ) from exc
    return row


@transaction.atomic
def check_in(
    *,
    actor,
    client,
    kind: str,
    purpose: str,
    expected_return: dt.date | None,
    now: dt.datetime,
    case=None,
    label: str = "",
    item: CustodyItem | None = None,
) -> CustodyMovement:
    """The client hands an item to `actor`, who records it; the client confirms with a code.

    A new item is created, or an earlier item already returned to the client comes back in.
    """
    _require_staff(actor)
    if case is not None and case.client_id != client.pk:
        raise ValidationFailed(_("该加急单不属于这家客户。"), field="case")
    if item is not None:
        item = _locked(item)
        if item.client_id != client.pk:
            raise ValidationFailed(_("该物品不属于这家客户。"), field="item")
        if item.state == ItemState.IN_FIRM:
            raise ValidationFailed(_("该物品已在本所保管中，无需再次收取。"), field="item")
        kind, label = item.kind, item.label
    if kind not in ItemKind.__members__.values():
        raise ValidationFailed(_("请选择物品类别。"), field="kind")
    label = clean_text(
        label,
        field="label",
        label=gettext_noop("物品说明"),
        max_length=200,
        required=kind in NEEDS_DESCRIPTION,
    )
    purpose = _purpose(purpose)
    if expected_return is None:
        raise ValidationFailed(_("请填写预计归还日期。"), field="expected_return")
    check_expected_return(firm_calendar(), expected_return, today=timezone.localdate(now))
    contact = _contact(client)
    if item is None:
        item = CustodyItem(client=client, kind=kind, label=label)
    item.case = case if case is not None else item.case
    item.holder, item.since = actor, now
    item.expected_return, item.state = expected_return, ItemState.IN_FIRM
    item.save()
    movement = CustodyMovement.objects.create(
        item=item,
        kind=MovementKind.CHECK_IN,
        from_client=contact.name,
        to_user=actor,
        purpose=purpose,
        at=now,
        recorded_by=actor,
    )
    _send_code(movement, contact, now)
    audit_record(
        kind=AuditKind.CUSTODY_CHECKED_IN,
        actor=actor,
        case=item.case,
        payload=_payload(movement, expected_return=expected_return.isoformat()),
    )
    return movement


def _may_move(actor, item: CustodyItem) -> None:
    if item.state != ItemState.IN_FIRM:
        raise ValidationFailed(_("该物品已归还客户，不能再转交或归还。"), field="item")
    if item.holder_id != actor.pk and not user_can(actor, Capability.CUSTODY_OVERRIDE):
        raise NotAllowed(
            _("该物品由 %(holder)s 保管，您不能替他人交出（主管及以上可以）。")
            % {"holder": staff_display_name(item.holder)}
        )


@transaction.atomic
def transfer(
    *, actor, item: CustodyItem, to_user, purpose: str, now: dt.datetime
) -> CustodyMovement:
    """Staff to staff; the other party confirms in the app."""
    _require_staff(actor)
    item = _locked(item)
    _may_move(actor, item)
    if to_user is None or not to_user.is_active or not user_roles(to_user):
        raise ValidationFailed(_("请选择接收的员工。"), field="to_user")
    if to_user.pk == item.holder_id:
        raise ValidationFailed(_("接收人就是当前保管人。"), field="to_user")
    purpose = _purpose(purpose)
    giver = item.holder
    item.holder, item.since = to_user, now
    item.save(update_fields=["holder", "since"])
    movement = CustodyMovement.objects.create(
        item=item,
        kind=MovementKind.TRANSFER,
        from_user=giver,
        to_user=to_user,
        purpose=purpose,
        at=now,
        recorded_by=actor,
    )
    audit_record(
        kind=AuditKind.CUSTODY_TRANSFERRED, actor=actor, case=item.case, payload=_payload(movement)
    )
    _ask_to_confirm(movement, actor=actor, now=now)
    return movement


def _ask_to_confirm(movement: CustodyMovement, *, actor, now: dt.datetime) -> None:
    """The other party of a transfer hears at once that the handover waits for them."""
    confirmer = confirming_staff_id(
        movement.kind,
        recorded_by=movement.recorded_by_id,
        from_user=movement.from_user_id,
        to_user=movement.to_user_id,
    )
    if confirmer is None:
        return
    item = movement.item
    user = movement.to_user if confirmer == movement.to_user_id else movement.from_user
    hand_off(
        key=f"custody:transfer:{movement.pk}",
        users=[user],
        case=item.case,
        panel="custody",
        link="" if item.case_id else reverse("custody_list"),
        subject=Phrase(
            "custody.confirm.subject", {"label": item.label, "client": item.client.name}
        ),
        body=Phrase(
            "custody.confirm.body",
            {
                "who": staff_display_name(actor),
                "from": staff_display_name(movement.from_user),
                "to": staff_display_name(movement.to_user),
            },
        ),
        now=now,
        besides={actor.pk},
    )


@transaction.atomic
def check_out(*, actor, item: CustodyItem, purpose: str, now: dt.datetime) -> CustodyMovement:
    """Back to the client's primary contact, who confirms receipt with a code."""
    _require_staff(actor)
    item = _locked(item)
    if item.state == ItemState.RETURNED:
        raise ValidationFailed(_("该物品已归还客户，不能重复归还。"), field="item")
    _may_move(actor, item)
    purpose = _purpose(purpose)
    contact = _contact(item.client)
    giver = item.holder
    item.holder, item.since, item.state = None, now, ItemState.RETURNED
    item.save(update_fields=["holder", "since", "state"])
    movement = CustodyMovement.objects.create(
        item=item,
        kind=MovementKind.CHECK_OUT,
        from_user=giver,
        to_client=contact.name,
        purpose=purpose,
        at=now,
        recorded_by=actor,
    )
    _send_code(movement, contact, now)
    audit_record(
        kind=AuditKind.CUSTODY_CHECKED_OUT, actor=actor, case=item.case, payload=_payload(movement)
    )
    return movement


def _locked_movement(movement_id: int) -> CustodyMovement:
    movement = (
        CustodyMovement.objects.select_for_update(of=("self",), no_key=True)
        .select_related("item__client", "item__case", "from_user", "to_user")
        .filter(pk=movement_id)
        .first()
    )
    if movement is None:
        raise NotFound(_("找不到该交接记录。"))
    return movement


def _not_confirmed(movement: CustodyMovement) -> None:
    if movement.confirmed_at is not None:
        raise ValidationFailed(_("该交接已确认。"), field="movement")


@transaction.atomic
def confirm_by_staff(*, actor, movement: CustodyMovement, now: dt.datetime) -> CustodyMovement:
    """The other staff member of a transfer confirms it."""
    _require_staff(actor)
    movement = _locked_movement(movement.pk)
    _not_confirmed(movement)
    if movement.kind in CLIENT_CONFIRMS:
        raise NotAllowed(_("与客户之间的交接由客户凭确认码确认。"))
    expected = confirming_staff_id(
        MovementKind(movement.kind),
        recorded_by=movement.recorded_by_id,
        from_user=movement.from_user_id,
        to_user=movement.to_user_id,
    )
    if actor.pk == movement.recorded_by_id:
        raise NotAllowed(_("不能确认自己登记的交接，须由另一方确认。"))
    if actor.pk != expected:
        raise NotAllowed(_("只有交接的另一方可以确认。"))
    movement.confirmed_at, movement.confirmed_by = now, actor
    movement.confirm_method = ConfirmMethod.STAFF
    movement.save(update_fields=["confirmed_at", "confirmed_by", "confirm_method"])
    audit_record(
        kind=AuditKind.CUSTODY_CONFIRMED,
        actor=actor,
        case=movement.item.case,
        payload=_payload(movement, method=ConfirmMethod.STAFF.value),
    )
    hand_off_done(f"custody:transfer:{movement.pk}", now=now)
    return movement


def confirm_by_client_code(
    *, client, movement_id: int, code: str, now: dt.datetime, case=None
) -> CustodyMovement:
    """The client (through its signed portal link) confirms with the e-mailed code.

    A wrong code counts an attempt and is recorded; that is committed even though the call
    then raises, so five wrong guesses really do use the code up.
    """
    movement, problem = _client_code_attempt(
        client=client, movement_id=movement_id, code=code, now=now, case=case
    )
    if problem is not None:
        raise problem
    return movement


@transaction.atomic
def _client_code_attempt(*, client, movement_id: int, code: str, now: dt.datetime, case=None):
    movement = _locked_movement(movement_id)
    # Another client's link sees nothing, not even that the movement exists; a case's link
    # sees that case's items (and the client's items not tied to a case).
    if movement.item.client_id != client.pk or movement.kind not in CLIENT_CONFIRMS:
        raise NotFound(_("找不到该交接记录。"))
    if case is not None and movement.item.case_id not in (None, case.pk):
        raise NotFound(_("找不到该交接记录。"))
    _not_confirmed(movement)
    row = (
        HandoverCode.objects.select_for_update(of=("self",), no_key=True)
        .filter(movement=movement, revoked_at__isnull=True)
        .first()
    )
    state = (
        CodeState(row.digest, row.expires_at, row.attempts, row.used_at is not None)
        if row
        else None
    )
    problem = check_code(state, code, key=_code_key(), scope=f"custody:{movement.pk}", now=now)
    if problem is not None:
        left = 0
        if problem == CodeProblem.WRONG:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - row.attempts
        audit_record(
            kind=AuditKind.CUSTODY_CODE_FAILED,
            actor_kind=ActorKind.CLIENT,
            actor_label="client",
            case=movement.item.case,
            payload={"movement": movement.pk, "problem": problem.value, "attempts_left": left},
        )
        if problem == CodeProblem.WRONG and left == 0:
            problem = CodeProblem.EXHAUSTED
        params = {"left": left} if problem == CodeProblem.WRONG else None
        return movement, ValidationFailed(
            CODE_PROBLEM_MESSAGES[problem], field="code", params=params
        )
    row.used_at = now
    row.save(update_fields=["used_at"])
    movement.confirmed_at, movement.confirmed_by_client = now, row.sent_to_name
    movement.confirm_method = ConfirmMethod.PORTAL_CODE
    movement.save(update_fields=["confirmed_at", "confirmed_by_client", "confirm_method"])
    audit_record(
        kind=AuditKind.CUSTODY_CONFIRMED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        case=movement.item.case,
        payload=_payload(
            movement, method=ConfirmMethod.PORTAL_CODE.value, confirmed_by=row.sent_to_name
        ),
    )
    return movement, None


@transaction.atomic
def resend_code(*, actor, movement: CustodyMovement, now: dt.datetime) -> HandoverCode:
    """A new code for a client handover still waiting; the old code stops working."""
    _require_staff(actor)
    movement = _locked_movement(movement.pk)
    _not_confirmed(movement)
    if movement.kind not in CLIENT_CONFIRMS:
        raise ValidationFailed(
            _("内部转交由接收的员工在系统中确认，不需要确认码。"), field="movement"
        )
    contact = _contact(movement.item.client)
    row = _send_code(movement, contact, now)
    audit_record(
        kind=AuditKind.CUSTODY_CODE_SENT,
        actor=actor,
        case=movement.item.case,
        payload={"movement": movement.pk, "to": contact.name},
    )
    return row
