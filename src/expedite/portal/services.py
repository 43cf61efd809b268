"""Portal actions: links (issue, rotate, revoke), client-visible files, one-time codes.

Each is one transaction with one audit event; staff actions check MANAGE_PORTAL here.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from expedite.accounts.selectors import user_can, user_roles
from expedite.audit.services import audit_record
from expedite.cases.models import Case, CaseDocument, ClientContact
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.codes import (
    CODE_MAX_ATTEMPTS,
    CodeProblem,
    CodeState,
    check_code,
    code_digest,
    new_code,
)
from expedite.domain.delivery import RESULT_KIND
from expedite.domain.errors import NotAllowed, NotFound, ValidationFailed
from expedite.domain.portal import CODE_PROBLEM_MESSAGES, CODE_TTL, mask_email, mask_phone
from expedite.domain.roles import Capability, Role
from expedite.notify.codes import code_text
from expedite.notify.notices import wants

from . import links
from .access import mark_verified
from .models import PortalLink, VerificationCode

# Roles that manage any case's link; a liaison manages the links of its own cases.
_ANY_CASE = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN})


def _code_key() -> bytes:
    return hashlib.sha256(b"expedite.portal.code:" + settings.SECRET_KEY.encode()).digest()


def case_liaison_ids(case: Case) -> set[int]:
    """The case's liaison: the assigned one, else the liaison who created the case."""
    ids = set(case.assignments.filter(role="liaison").values_list("user_id", flat=True))
    if not ids and case.created_by_id and Role.LIAISON in user_roles(case.created_by):
        ids.add(case.created_by_id)
    return ids


def check_manage(actor, case: Case) -> None:

    if not user_can(actor, Capability.MANAGE_PORTAL):
        raise NotAllowed(_("您的角色无权管理客户进度页。"))
    if user_roles(actor) & _ANY_CASE:
        return
    if actor.pk not in case_liaison_ids(case):
        raise NotAllowed(_("只有本单的客户对接专员（或主管、经理）可以管理客户进度页。"))


def issue_link(*, case: Case, now: dt.datetime, actor=None) -> tuple[PortalLink, str]:
    """A new row and its token; the caller holds the transaction (and records the event)."""
    link = PortalLink.objects.create(
        case=case,
        nonce=links.new_nonce(),
        token_digest=f"-{links.new_nonce()}",
        created_at=now,
        created_by=actor,
        expires_at=now + links.link_ttl(),
    )
    token = links.token_of(link)
    link.token_digest = links.digest(token)
    link.save(update_fields=["token_digest"])
    return link, token


def _revoke_current(case: Case, *, actor, now: dt.datetime) -> list[int]:
    current = list(
        PortalLink.objects.select_for_update(no_key=True).filter(case=case, revoked_at__isnull=True)
    )
    for link in current:
        link.revoked_at, link.revoked_by = now, actor
        link.save(update_fields=["revoked_at", "revoked_by"])
    return [link.pk for link in current]


@transaction.atomic
def link_rotate(*, actor, case: Case, now: dt.datetime) -> PortalLink:
    """Revoke whatever link the case has and issue a new one (also: re-issue after revoking)."""
    check_manage(actor, case)
    Case.objects.select_for_update(no_key=True).filter(pk=case.pk).first()
    revoked = _revoke_current(case, actor=actor, now=now)
    link, _token = issue_link(case=case, now=now, actor=actor)
    audit_record(
        kind=AuditKind.PORTAL_LINK_ROTATED,
        actor=actor,
        case=case,
        payload={"revoked": revoked, "link": link.pk, "expires_at": link.expires_at.isoformat()},
    )
    return link


@transaction.atomic
def link_revoke(*, actor, case: Case, now: dt.datetime) -> list[int]:
    """The case's link stops working at once; the client sees the not-found page."""
    check_manage(actor, case)
    revoked = _revoke_current(case, actor=actor, now=now)
    if not revoked:
        raise ValidationFailed(_("该加急单当前没有有效的客户进度页链接。"), field="link")
    audit_record(
        kind=AuditKind.PORTAL_LINK_REVOKED, actor=actor, case=case, payload={"revoked": revoked}
    )
    return revoked


@transaction.atomic
def document_set_client_visible(*, actor, document: CaseDocument, visible: bool) -> CaseDocument:
    document = (
        CaseDocument.objects.select_for_update(no_key=True)
        .select_related("case")
        .get(pk=document.pk)
    )
    check_manage(actor, document.case)
    if document.kind == RESULT_KIND:
        # A result reaches the client through review by someone other than its uploader only.
        raise ValidationFailed(
            _("结果文件经另一位主管复核通过后自动对客户可见，不能在此手动设置。"), field="document"
        )
    if document.client_visible == visible:
        return document
    document.client_visible = visible
    document.save(update_fields=["client_visible"])
    audit_record(
        kind=AuditKind.PORTAL_FILE_VISIBILITY,
        actor=actor,
        case=document.case,
        payload={"document": document.pk, "name": document.name, "client_visible": visible},
    )
    return document


# -- the client's one-time code -----------------------------------------------------------------


def verifiable_contacts(case: Case) -> list[ClientContact]:
    """The client's registered contacts that can receive a code, by the channel each chose."""
    return [c for c in case.client.contacts.all() if wants(c, "email") or wants(c, "sms")]


def code_issue(*, case: Case, contact: ClientContact, now: dt.datetime):
    """A new code row for the contact (earlier codes of the case stop working) and the code
    itself, which the caller sends and never stores; inside the caller's transaction."""
    VerificationCode.objects.filter(case=case, used_at__isnull=True).update(
        attempts=CODE_MAX_ATTEMPTS
    )
    channel = "email" if wants(contact, "email") else "sms"
    row = VerificationCode.objects.create(
        case=case, contact=contact, channel=channel, sent_at=now, expires_at=now + CODE_TTL
    )
    code = new_code()
    row.digest = code_digest(code, key=_code_key(), scope=f"portal:{row.pk}")
    row.save(update_fields=["digest"])
    return row, code


@transaction.atomic
def code_send(*, case: Case, contact_id: int, now: dt.datetime) -> VerificationCode:
    """Send a new code to one registered contact of the case's client; earlier codes of the case
    stop working. E-mail when the contact has one, else a text message."""
    contact = next((c for c in verifiable_contacts(case) if c.pk == contact_id), None)
    if contact is None:
        raise NotFound(_("请选择一位登记的联系人。"))
    row, code = code_issue(case=case, contact=contact, now=now)
    channel = row.channel
    minutes = int(CODE_TTL.total_seconds() // 60)
    # In the contact's language, whatever the page it was asked from is shown in.
    with override(contact.language):
        text = _(
            "您的验证码是 %(code)s，%(minutes)s 分钟内有效，仅用于加急单 %(ref)s。请勿告诉他人。"
        ) % {
            "code": code,
            "minutes": minutes,
            "ref": case.reference,
        }
        subject = _("加急单 %(ref)s 身份验证码") % {"ref": case.reference}
    if channel == "email":
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [contact.email])
        to = mask_email(contact.email)
    else:
        code_text(
            phone=contact.phone,
            code=code,
            now=now,
            purpose=f"portal:{row.pk}",
            case=case,
            contact=contact,
        )
        to = mask_phone(contact.phone)
    audit_record(
        kind=AuditKind.PORTAL_CODE_SENT,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        case=case,
        payload={"code": row.pk, "channel": channel, "to": to},
    )
    return row


def code_verify(request, *, case: Case, code_id: int | None, code: str, now: dt.datetime) -> str:
    """Check the entered code; on success the browser is verified for this case (returns the
    contact's name). A wrong code is counted and recorded even though the call then raises."""
    name, problem = _code_attempt(case=case, code_id=code_id, code=code, now=now)
    if problem is not None:
        raise problem
    mark_verified(request, case, now=now, contact=name)
    return name


@transaction.atomic
def _code_attempt(*, case: Case, code_id: int | None, code: str, now: dt.datetime):
    row, problem = code_consume(case=case, code_id=code_id, code=code, now=now)
    if problem is not None:
        return "", problem
    audit_record(
        kind=AuditKind.PORTAL_CLIENT_VERIFIED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        case=case,
        payload={"code": row.pk, "channel": row.channel},
    )
    return row.contact.name, None


def code_consume(
    *, case: Case, code_id: int | None, code: str, now: dt.datetime
) -> tuple[VerificationCode | None, ValidationFailed | None]:
    """Check a code inside the caller's transaction: right → the row, now used (the caller
    records what it was used for); wrong → the attempt is counted and recorded, and the error
    to raise is returned, so the caller can commit the count before raising."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("code_consume must run inside the caller's transaction")
    row = (
        VerificationCode.objects.select_for_update(no_key=True)
        .select_related("contact")
        .filter(pk=code_id, case=case)
        .first()
        if code_id
        else None
    )
    state = (
        CodeState(row.digest, row.expires_at, row.attempts, row.used_at is not None)
        if row
        else None
    )
    problem = check_code(
        state, code, key=_code_key(), scope=f"portal:{row.pk if row else 0}", now=now
    )
    if problem is None:
        row.used_at = now
        row.save(update_fields=["used_at"])
        return row, None
    left = 0
    if problem == CodeProblem.WRONG:
        row.attempts += 1
        row.save(update_fields=["attempts"])
        left = CODE_MAX_ATTEMPTS - row.attempts
        if left == 0:
            problem = CodeProblem.EXHAUSTED
    audit_record(
        kind=AuditKind.PORTAL_CODE_FAILED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        case=case,
        payload={"code": row.pk if row else None, "problem": problem.value, "attempts_left": left},
    )
    params = {"left": left} if problem == CodeProblem.WRONG else None
    return None, ValidationFailed(CODE_PROBLEM_MESSAGES[problem], field="code", params=params)
