"""A client starts an expedite request itself, from the firm's public request page.

Nothing is stored until the phone number is proven by a one-time code (no captcha service is
needed: a text message costs the sender a phone). The request becomes a case awaiting triage,
for a client found by its credit code or registered here, with the contact that asked; the
liaison on duty is told at once and the client gets its status link at once and by message.
A second request for the same company and service while one is open makes no new case: the
case's liaison is told, and the page says a colleague will call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from expedite.audit.services import audit_record
from expedite.cases.models import (
    CONTACT_LANGUAGE_CHOICES,
    DEFAULT_CONTACT_LANGUAGE,
    Case,
    Client,
    ClientContact,
    ContactChannel,
)
from expedite.cases.services import case_open, case_reason, case_service, check_deadline
from expedite.cases.triage import case_intake_answer
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import FINAL, CaseState
from expedite.domain.codes import (
    CODE_MAX_ATTEMPTS,
    CodeProblem,
    CodeState,
    check_code,
    code_digest,
    new_code,
)
from expedite.domain.errors import ValidationFailed, gettext_noop
from expedite.domain.identifiers import normalize_uscc
from expedite.domain.phrases import Phrase, Term
from expedite.domain.portal import CODE_PROBLEM_MESSAGES, mask_phone
from expedite.domain.roles import Role
from expedite.domain.sms import SmsKind, mainland_mobile
from expedite.domain.text import clean_text
from expedite.notify.codes import code_text
from expedite.notify.handoffs import hand_off, staff_with
from expedite.notify.notices import absolute, tell_client
from expedite.portal.links import portal_path
from expedite.work.models import Absence, Assignment

from .models import RequestCode

CODE_TTL = dt.timedelta(minutes=10)
CLOSED = Q(state__in=[s.value for s in FINAL] + [CaseState.CONFIRMED.value])


def _key() -> bytes:
    return hashlib.sha256(b"expedite.requests.code:" + settings.SECRET_KEY.encode()).digest()


def phone_of(raw: str) -> str:
    number = mainland_mobile(raw or "")
    if number is None:
        raise ValidationFailed(_("请填写有效的中国大陆手机号码。"), field="phone")
    return number


@transaction.atomic
def request_code_send(*, phone: str, now: dt.datetime) -> RequestCode:
    """A new code to `phone` (earlier ones stop working), within the number's limits."""
    number = phone_of(phone)
    RequestCode.objects.filter(phone=number, used_at__isnull=True).update(
        attempts=CODE_MAX_ATTEMPTS
    )
    row = RequestCode.objects.create(phone=number, created_at=now, expires_at=now + CODE_TTL)
    code = new_code()
    row.digest = code_digest(code, key=_key(), scope=f"request:{row.pk}")
    row.save(update_fields=["digest"])
    code_text(phone=number, code=code, now=now, purpose=f"request:{row.pk}")
    audit_record(
        kind=AuditKind.REQUEST_CODE_SENT,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        payload={"code": row.pk, "to": mask_phone(number)},
    )
    return row


@transaction.atomic
def _code_check(number: str, code: str, *, now: dt.datetime) -> ValidationFailed | None:
    """Check the newest code of `number`; a wrong one is counted (and committed) either way."""
    row = RequestCode.objects.select_for_update().filter(phone=number).order_by("-pk").first()
    state = (
        CodeState(row.digest, row.expires_at, row.attempts, row.used_at is not None)
        if row
        else None
    )
    scope = f"request:{row.pk if row else 0}"
    problem = check_code(state, (code or "").strip(), key=_key(), scope=scope, now=now)
    if problem is None:
        row.used_at = now
        row.save(update_fields=["used_at"])
        return None
    left = 0
    if problem == CodeProblem.WRONG:
        row.attempts += 1
        row.save(update_fields=["attempts"])
        left = CODE_MAX_ATTEMPTS - row.attempts
        if left == 0:
            problem = CodeProblem.EXHAUSTED
    params = {"left": left} if problem == CodeProblem.WRONG else None
    return ValidationFailed(CODE_PROBLEM_MESSAGES[problem], field="code", params=params)


@dataclass(frozen=True)
class RequestInput:
    phone: str
    code: str
    company: str
    uscc: str
    contact_name: str
    email: str
    channel: str
    service_code: str
    reason: str
    answers: dict  # the three questions (portal.forms.ClientIntakeForm.answers)
    language: str = "zh-hans"


@dataclass(frozen=True)
class Requested:
    case: Case
    # None: the requester is not a contact of the client (the liaison confirms them first).
    contact: ClientContact | None
    repeated: bool


@dataclass(frozen=True)
class _Checked:
    number: str
    company: str
    uscc: str
    contact_name: str
    email: str
    channel: str
    reason: str
    deadline: dt.date


def _check(data: RequestInput, *, now: dt.datetime) -> _Checked:
    """Everything a request needs, checked before the code is spent on it."""
    number = phone_of(data.phone)
    company = clean_text(
        data.company, field="company", label=gettext_noop("公司名称"), max_length=200
    )
    uscc = normalize_uscc(data.uscc)
    name = clean_text(
        data.contact_name, field="contact_name", label=gettext_noop("联系人姓名"), max_length=100
    )
    email = clean_text(
        data.email, field="email", label=gettext_noop("电子邮箱"), max_length=254, required=False
    )
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed(_("电子邮箱格式不正确。"), field="email") from None
    if data.channel not in ContactChannel.values:
        raise ValidationFailed(_("请选择通知方式。"), field="channel")
    if data.channel == ContactChannel.EMAIL and not email:
        raise ValidationFailed(_("选择仅电子邮件通知时，请填写电子邮箱。"), field="email")
    case_service(data.service_code)
    deadline = data.answers.get("deadline")
    deadline = dt.date.fromisoformat(deadline) if isinstance(deadline, str) else deadline
    if not isinstance(deadline, dt.date):
        raise ValidationFailed(_("请填写最晚必须办好的日期。"), field="deadline")
    check_deadline(deadline, today=now.astimezone(SHANGHAI).date())
    reason = case_reason(data.reason)
    return _Checked(number, company, uscc, name, email, data.channel, reason, deadline)


def case_request(*, data: RequestInput, now: dt.datetime) -> Requested:
    """Check the request, spend the code on it, then store it in one transaction."""
    checked = _check(data, now=now)
    problem = _code_check(checked.number, data.code, now=now)
    if problem is not None:
        raise problem
    return _store(data, checked, now=now)


def _client(checked: _Checked) -> Client:
    client = Client.objects.filter(uscc=checked.uscc).first()
    if client is not None:
        return client
    try:
        with transaction.atomic():  # a savepoint: another request may register it first
            client = Client.objects.create(
                name=checked.company, uscc=checked.uscc, notes=_("客户在线申请时登记")
            )
    except IntegrityError:
        return Client.objects.get(uscc=checked.uscc)
    audit_record(
        kind=AuditKind.CLIENT_CREATED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        payload={"client_id": client.pk, "name": client.name, "uscc": client.uscc, "online": True},
    )
    return client


def _first_contact(client: Client, checked: _Checked, language: str) -> ClientContact:
    """The requester, as the first contact of the client it registered."""
    known = language in dict(CONTACT_LANGUAGE_CHOICES)
    contact = ClientContact.objects.create(
        client=client,
        name=checked.contact_name,
        phone=checked.number,
        email=checked.email,
        channel=checked.channel,
        language=language if known else DEFAULT_CONTACT_LANGUAGE,
        is_primary=True,
    )
    audit_record(
        kind=AuditKind.CLIENT_CONTACT_ADDED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        payload={"client_id": client.pk, "contact_id": contact.pk, "name": contact.name},
    )
    return contact


def on_duty_liaison(now: dt.datetime):
    """The liaison who takes a request that arrives at `now`: of those at work today, the one
    with the fewest open cases (then the longest-standing account)."""
    today = now.astimezone(SHANGHAI).date()
    away = set(
        Absence.objects.filter(start__lte=today, end__gte=today).values_list("user_id", flat=True)
    )
    people = [u for u in staff_with(roles=[Role.LIAISON]) if u.pk not in away]
    if not people:
        people = [u for u in staff_with(roles=[Role.SUPERVISOR]) if u.pk not in away]
    if not people:
        return None
    load = dict(
        Assignment.objects.filter(role="liaison", user__in=people)
        .exclude(case__in=Case.objects.filter(CLOSED))
        .values("user")
        .annotate(n=Count("pk"))
        .values_list("user", "n")
    )
    return min(people, key=lambda u: (load.get(u.pk, 0), u.pk))


def _tell_liaison(
    case: Case, liaison, checked: _Checked, *, repeated: bool, now, known: bool
) -> None:
    what = "duplicate" if repeated else "new"
    values = {
        "ref": case.reference,
        "client": case.client.name,
        "contact": checked.contact_name,
        "phone": mask_phone(checked.number),
        "service": Term(case.service.name_zh),
        "deadline": checked.deadline.isoformat(),
    }
    body = [Phrase(f"requests.{what}.body", values)]
    if not known:
        body.append(Phrase("requests.unknown_requester", values))
    hand_off(
        key=f"request:{what}:{case.pk}:{now.isoformat()}",
        users=[liaison] if liaison else [],
        case=case,
        subject=Phrase(f"requests.{what}.subject", values),
        body=body,
        now=now,
        panel="triage",
    )


def _known(client: Client, number: str) -> ClientContact | None:
    return next((c for c in client.contacts.all() if mainland_mobile(c.phone) == number), None)


def _case_liaison(case: Case, now: dt.datetime):
    assigned = (
        case.assignments.filter(role="liaison", user__is_active=True).select_related("user").first()
    )
    return assigned.user if assigned else on_duty_liaison(now)


def _audit(case: Case, checked: _Checked, **payload) -> None:
    audit_record(
        kind=AuditKind.CASE_REQUESTED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        case=case,
        payload={"reference": case.reference, "phone": mask_phone(checked.number), **payload},
    )


@transaction.atomic
def _store(data: RequestInput, checked: _Checked, *, now: dt.datetime) -> Requested:
    new_client = not Client.objects.filter(uscc=checked.uscc).exists()
    client = _client(checked)
    # One request at a time per client: two at once must not both find no open case.
    client = Client.objects.select_for_update().get(pk=client.pk)
    # A credit code is public: a number the client never registered proves nothing about who
    # asks. It becomes a contact only of a client it registered itself; otherwise the liaison
    # confirms the person first, and the page says no more than that a colleague will call.
    contact = _known(client, checked.number)
    trusted = new_client or contact is not None
    open_case = (
        Case.objects.filter(client=client, service__code=data.service_code)
        .exclude(CLOSED)
        .order_by("-pk")
        .first()
    )
    if open_case is not None:
        _tell_liaison(
            open_case, _case_liaison(open_case, now), checked, repeated=True, now=now, known=trusted
        )
        _audit(open_case, checked, repeated=True, contact=contact.pk if contact else None)
        return Requested(case=open_case, contact=contact, repeated=True)
    if new_client:
        contact = _first_contact(client, checked, data.language)
    case = case_open(
        actor=None,
        client=client,
        service=case_service(data.service_code),
        requested_deadline=checked.deadline,
        reason=checked.reason,
        now=now,
    )
    case_intake_answer(case=case, answers=data.answers, now=now)
    if not trusted:
        # Who asked, for the liaison to confirm before the person hears anything of the case.
        case.intake = {
            **case.intake,
            "requester": {
                "name": checked.contact_name,
                "phone": checked.number,
                "email": checked.email,
                "channel": checked.channel,
            },
        }
        case.save(update_fields=["intake", "updated_at"])
    liaison = on_duty_liaison(now)
    if liaison is not None:
        Assignment.objects.create(
            case=case,
            role="liaison",
            user=liaison,
            status=Assignment.PROPOSED,
            reason=Phrase("requests.on_duty").as_json(),
        )
    _tell_liaison(case, liaison, checked, repeated=False, now=now, known=trusted)
    if trusted:
        _tell_received(case, data.language, now=now)
    _audit(
        case,
        checked,
        contact=contact.pk if contact else None,
        liaison=liaison.pk if liaison else None,
        confirmed=trusted,
    )
    return Requested(case=case, contact=contact, repeated=False)


def _tell_received(case: Case, language: str, *, now: dt.datetime) -> None:
    path = portal_path(case)

    def compose() -> tuple[str, str]:
        values = {"ref": case.reference, "service": case.service.display_name(language)}
        subject = _("【已收到加急申请】%(ref)s %(service)s") % values
        body = _("我们已收到您的加急申请（%(ref)s），对接专员会尽快联系您确认办理方案和费用。")
        lines = [body % values]
        if path:
            lines.append(_("随时查看进度：%(url)s") % {"url": absolute(path)})
        return subject, "\n".join(lines) + "\n"

    tell_client(
        key=f"received:{case.pk}",
        case=case,
        compose=compose,
        now=now,
        sms=(SmsKind.RECEIVED, {"service": case.service.name_zh, "ref": case.reference}),
    )
