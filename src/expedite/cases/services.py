"""Writes for clients, cases and the catalog.

One use case per function, one transaction each, one audit event each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import ValueTier
from expedite.domain.catalog import Catalog, parse_catalog
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.identifiers import normalize_phone, normalize_uscc
from expedite.domain.planning import nominal_workdays
from expedite.domain.roles import Capability
from expedite.domain.sms import mainland_mobile
from expedite.domain.text import clean_text
from expedite.workdays.selectors import firm_calendar

from . import words
from .clocks import clocks_to_json, new_case_clocks
from .models import (
    CONTACT_LANGUAGE_CHOICES,
    DEFAULT_CONTACT_LANGUAGE,
    Case,
    CatalogVersion,
    Client,
    ClientContact,
    ContactChannel,
    ServiceType,
)

MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class ContactInput:
    name: str
    phone: str = ""
    email: str = ""
    title: str = ""
    language: str = DEFAULT_CONTACT_LANGUAGE


def check_language(language: str) -> str:
    if language not in dict(CONTACT_LANGUAGE_CHOICES):
        raise ValidationFailed(_("联系人语言无效：请选择中文或英文。"), field="contact_language")
    return language


def _check_contact(contact: ContactInput) -> ContactInput:
    name = clean_text(
        contact.name, field="contact_name", label=gettext_noop("联系人姓名"), max_length=100
    )
    title = clean_text(
        contact.title,
        field="contact_title",
        label=gettext_noop("职务"),
        max_length=100,
        required=False,
    )
    phone = normalize_phone(contact.phone) if (contact.phone or "").strip() else ""
    email = clean_text(
        contact.email,
        field="contact_email",
        label=gettext_noop("电子邮箱"),
        max_length=254,
        required=False,
    )
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed(_("电子邮箱格式不正确。"), field="contact_email") from None
    if not phone and not email:
        raise ValidationFailed(_("联系人至少需要手机号或电子邮箱之一。"), field="contact_phone")
    language = check_language(contact.language)
    return ContactInput(name=name, phone=phone, email=email, title=title, language=language)


def _require(actor, capability: Capability) -> None:
    if not user_can(actor, capability):
        raise NotAllowed(_("您的角色无权执行此操作。"))


@transaction.atomic
def client_create(
    *,
    actor,
    name: str,
    uscc: str,
    value_tier: str = ValueTier.STANDARD.value,
    contacts: list[ContactInput],
    notes: str = "",
) -> Client:
    _require(actor, Capability.CREATE_CLIENT)
    name = clean_text(name, field="name", label=gettext_noop("公司名称"), max_length=200)
    notes = clean_text(
        notes, field="notes", label=gettext_noop("备注"), max_length=2000, required=False
    )
    code = normalize_uscc(uscc)
    try:
        tier = ValueTier(value_tier)
    except ValueError:
        raise ValidationFailed(_("客户价值等级无效。"), field="value_tier") from None
    if not contacts:
        raise ValidationFailed(_("请至少填写一位客户联系人。"), field="contact_name")
    checked = [_check_contact(c) for c in contacts]
    existing = Client.objects.filter(uscc=code).first()
    if existing is not None:
        raise ValidationFailed(
            _("统一社会信用代码 %(code)s 已登记为客户“%(name)s”。")
            % {"code": code, "name": existing.name},
            field="uscc",
        )
    try:
        # A savepoint, so that losing a race with another registration of the same code
        # leaves the surrounding transaction usable and reports the same clear message.
        with transaction.atomic():
            client = Client.objects.create(
                name=name, uscc=code, value_tier=tier.value, notes=notes, created_by=actor
            )
    except IntegrityError:
        raise ValidationFailed(
            _("统一社会信用代码 %(code)s 已登记为客户。") % {"code": code}, field="uscc"
        ) from None
    for index, contact in enumerate(checked):
        ClientContact.objects.create(
            client=client,
            name=contact.name,
            phone=contact.phone,
            email=contact.email,
            title=contact.title,
            language=contact.language,
            is_primary=index == 0,
        )
    audit_record(
        kind=AuditKind.CLIENT_CREATED,
        actor=actor,
        payload={
            "client_id": client.pk,
            "name": client.name,
            "uscc": client.uscc,
            "value_tier": client.value_tier,
            "contacts": [c.name for c in checked],
        },
    )
    return client


@transaction.atomic
def client_contact_add(*, actor, client: Client, contact: ContactInput) -> ClientContact:
    _require(actor, Capability.CREATE_CLIENT)
    checked = _check_contact(contact)
    row = ClientContact.objects.create(
        client=client,
        name=checked.name,
        phone=checked.phone,
        email=checked.email,
        title=checked.title,
        language=checked.language,
        is_primary=not client.contacts.exists(),
    )
    audit_record(
        kind=AuditKind.CLIENT_CONTACT_ADDED,
        actor=actor,
        payload={"client_id": client.pk, "contact_id": row.pk, "name": row.name},
    )
    return row


@transaction.atomic
def client_contact_set_language(*, actor, contact: ClientContact, language: str) -> ClientContact:
    """The language the contact reads its portal, messages and 结果确认单 in."""
    _require(actor, Capability.CREATE_CLIENT)
    language = check_language(language)
    contact = ClientContact.objects.select_for_update(no_key=True).get(pk=contact.pk)
    if contact.language == language:
        return contact
    before, contact.language = contact.language, language
    contact.save(update_fields=["language"])
    audit_record(
        kind=AuditKind.CLIENT_CONTACT_LANGUAGE_SET,
        actor=actor,
        payload={
            "client_id": contact.client_id,
            "contact_id": contact.pk,
            "from": before,
            "to": language,
        },
    )
    return contact


@transaction.atomic
def client_contact_set_preferences(
    *, actor, contact: ClientContact, language: str, channel: str = ""
) -> ClientContact:
    """The contact's language and, when given, its channel: both, or neither."""
    contact = client_contact_set_language(actor=actor, contact=contact, language=language)
    if channel:
        contact = client_contact_set_channel(actor=actor, contact=contact, channel=channel)
    return contact


@transaction.atomic
def client_contact_set_channel(*, actor, contact: ClientContact, channel: str) -> ClientContact:
    """How the contact hears from the firm: text message, e-mail or both."""
    _require(actor, Capability.CREATE_CLIENT)
    if channel not in ContactChannel.values:
        raise ValidationFailed(_("请选择通知方式。"), field="channel")
    contact = ClientContact.objects.select_for_update(no_key=True).get(pk=contact.pk)
    # A choice the contact cannot be reached by would leave it hearing nothing at all.
    if channel == ContactChannel.SMS and mainland_mobile(contact.phone) is None:
        raise ValidationFailed(
            _("%(name)s 没有中国大陆手机号码，不能只用短信通知。") % {"name": contact.name},
            field="channel",
        )
    if channel == ContactChannel.EMAIL and not contact.email:
        raise ValidationFailed(
            _("%(name)s 没有电子邮箱，不能只用电子邮件通知。") % {"name": contact.name},
            field="channel",
        )
    if contact.channel == channel:
        return contact
    before, contact.channel = contact.channel, channel
    contact.save(update_fields=["channel"])
    audit_record(
        kind=AuditKind.CLIENT_CONTACT_CHANNEL_SET,
        actor=actor,
        payload={
            "client_id": contact.client_id,
            "contact_id": contact.pk,
            "from": before,
            "to": channel,
        },
    )
    return contact


@transaction.atomic
def case_create(
    *,
    actor,
    client_id: int,
    service_code: str,
    requested_deadline: dt.date | None,
    reason: str,
    now: dt.datetime,
) -> Case:
    """Open an expedite request (state `draft`) at `now`. Triage comes next."""
    _require(actor, Capability.CREATE_CASE)
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise ValidationFailed(_("请选择已登记的客户。"), field="client")
    return case_open(
        actor=actor,
        client=client,
        service=case_service(service_code),
        requested_deadline=requested_deadline,
        reason=reason,
        now=now,
    )


def case_service(service_code: str) -> ServiceType:
    service = ServiceType.objects.filter(code=service_code, active=True).first()
    if service is None:
        raise ValidationFailed(_("请选择服务目录中的服务事项。"), field="service")
    return service


def case_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明加急原因（为什么急、急到什么程度）。"), field="reason")
    return clean_text(reason, field="reason", label=gettext_noop("加急原因"), max_length=MAX_REASON)


@transaction.atomic
def case_open(
    *,
    actor,
    client: Client,
    service: ServiceType,
    requested_deadline: dt.date | None,
    reason: str,
    now: dt.datetime,
) -> Case:
    """Open the case for whoever may (the caller checked): staff, or with `actor` None the
    client itself, from the public request page."""
    if requested_deadline is None:
        raise ValidationFailed(_("请填写客户要求的截止日期。"), field="requested_deadline")
    check_deadline(requested_deadline, today=now.astimezone(SHANGHAI).date())
    reason = case_reason(reason)
    # The firm's clock runs from intake; the government's starts when the matter is filed.
    clocks = new_case_clocks(firm_calendar()).start(now)
    case = Case.objects.create(
        catalog_version=CatalogVersion.objects.order_by("-pk").first(),
        client=client,
        service=service,
        requested_deadline=requested_deadline,
        reason=reason,
        created_by=actor,
        clocks=clocks_to_json(clocks),
    )
    # The firm's year, not UTC's: a case opened at 07:00 on 1 January belongs to the new year.
    case.reference = f"JJ-{now.astimezone(SHANGHAI):%Y}-{case.pk:05d}"
    case.save(update_fields=["reference"])
    audit_record(
        kind=AuditKind.CASE_CREATED,
        actor=actor,
        actor_kind=None if actor is not None else ActorKind.CLIENT,
        actor_label="" if actor is not None else "client",
        case=case,
        payload={
            "reference": case.reference,
            "client_id": client.pk,
            "service": service.code,
            "requested_deadline": requested_deadline.isoformat(),
            "reason": reason,
        },
    )
    return case


def check_deadline(deadline: dt.date, *, today: dt.date) -> None:
    """A past deadline is allowed (triage flags it); one far outside any plan is a typo."""
    earliest, latest = today - dt.timedelta(days=366), today + dt.timedelta(days=3 * 366)
    if not earliest <= deadline <= latest:
        raise ValidationFailed(
            _("截止日期 %(date)s 不合理：应在 %(earliest)s 至 %(latest)s 之间。")
            % {"date": deadline, "earliest": earliest, "latest": latest},
            field="requested_deadline",
        )


# Changes accepted since a YAML was written (the optimization handbook's) are applied to every
# catalog loaded: a reviser takes the YAML text and returns the text in force.
CatalogReviser = Callable[[str], str]
_REVISERS: list[CatalogReviser] = []


def register_catalog_reviser(reviser: CatalogReviser) -> CatalogReviser:
    if reviser not in _REVISERS:
        _REVISERS.append(reviser)
    return reviser


@transaction.atomic
def catalog_sync(*, catalog: Catalog, text: str, source: str) -> dict[str, int]:
    """Keep `text` (revised, see register_catalog_reviser) as a new catalog version and make
    the ServiceType table match it.

    Services no longer listed stop being offered (existing cases keep them). Idempotent: the
    same catalog loaded again changes nothing and records nothing.
    """
    revised = text
    for reviser in _REVISERS:
        revised = reviser(revised)
    if revised != text:
        text, catalog = revised, parse_catalog(revised, source=source)
    digest = hashlib.sha256(text.encode()).hexdigest()
    latest = CatalogVersion.objects.order_by("-pk").first()
    new_version = latest is None or latest.digest != digest
    if new_version:
        latest = CatalogVersion.objects.create(text=text, digest=digest, source=source)
        transaction.on_commit(words.forget)
    day = firm_calendar().hours.day_length
    created = updated = 0
    codes = set()
    for item in catalog.services:
        codes.add(item.code)
        values = {
            "name_zh": item.name_zh,
            "name_en": item.name_en,
            "category": item.category.value,
            "standard_workdays": nominal_workdays(item, day),
            "milestones": list(item.milestones),
            "description": item.description,
            "active": True,
        }
        row = ServiceType.objects.filter(code=item.code).first()
        if row is None:
            ServiceType.objects.create(code=item.code, **values)
            created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.save(update_fields=list(values))
            updated += 1
    retired = ServiceType.objects.filter(active=True).exclude(code__in=codes).update(active=False)
    counts = {"created": created, "updated": updated, "retired": retired}
    if new_version or created or updated or retired:
        audit_record(
            kind=AuditKind.CATALOG_LOADED,
            payload={"source": source, "version": latest.pk, "sha256": digest, **counts},
        )
    return counts
