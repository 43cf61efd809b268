"""Writes for batches: open one request for several companies, triage all of its cases.

Each company's case is opened and triaged by the ordinary intake services
(`cases.services.case_create`, `cases.triage.case_triage`), so a case in a batch is a case like
any other. One transaction per action: if any company is refused, nothing of the batch is
kept, and the error names the company.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.models import Case, Client, ClientContact, ServiceType
from expedite.cases.services import MAX_REASON, case_create, check_deadline
from expedite.cases.triage import NOTICE, TriageInput, case_document_add, case_triage
from expedite.common.i18n import localized
from expedite.domain.audit import AuditKind
from expedite.domain.batches import check_companies
from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError, NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.roles import Capability
from expedite.domain.text import clean_text

from .models import Batch, BatchCase
from .selectors import batch_cases

# Cases a batch triage may (re)decide: those not yet quoted, as on the case page.
TRIAGEABLE = frozenset({CaseState.DRAFT, CaseState.TRIAGED})


@dataclass(frozen=True, slots=True)
class BatchCompany:
    """One company of a batch. `facts`: its own answers to the rules' questions where they
    differ from the batch's (one company also owes late fees), laid over the shared ones."""

    client_id: int
    facts: Mapping[str, Any] = field(default_factory=dict)


class CompanyRefused(ValidationFailed):
    """The intake of one company of the batch was refused; nothing of the batch was kept."""

    def __init__(self, company: str, error: DomainError) -> None:
        super().__init__(
            gettext_noop("“%(company)s”：%(error)s 整批未保存，请改正后重试。"),
            field=error.field,
            params={"company": company, "error": localized(error)},
        )
        self.company = company
        self.cause = error


def _require(actor, capability: Capability, message: str) -> None:
    if not user_can(actor, capability):
        raise NotAllowed(message)


def _companies(companies: Sequence[BatchCompany]) -> list[Client]:
    found = []
    # One by one: an id no database column could hold finds nothing, as in case_create.
    for position, pk in enumerate(check_companies([c.client_id for c in companies]), start=1):
        client = Client.objects.filter(pk=pk).first()
        if client is None:
            raise ValidationFailed(
                gettext_noop("第 %(n)d 家公司不是已登记的客户，请重新选择。"),
                field="companies",
                params={"n": position},
            )
        found.append(client)
    return found


@transaction.atomic
def batch_create(
    *,
    actor,
    companies: Sequence[BatchCompany],
    requester_contact_id: int | None,
    service_code: str,
    requested_deadline: dt.date | None,
    reason: str,
    now: dt.datetime,
    triage: TriageInput | None = None,
) -> Batch:
    """Open one request for several companies at `now`: the batch and one case per company,
    in the order given, each opened (and, with `triage`, triaged) as a single case would be.

    `triage` holds the answers shared by every company (its deadline is the batch's); a
    company's own `facts` are laid over them. All or nothing: a refused company refuses the
    batch (CompanyRefused, naming it) and nothing is written."""
    _require(actor, Capability.CREATE_CASE, _("您的角色无权创建加急单。"))
    clients = _companies(companies)
    if any(c.facts for c in companies) and triage is None:
        raise ValidationFailed(
            _("按公司填写的事实只在同时研判时使用；请一并提交研判的回答。"), field="facts"
        )
    requester = (
        ClientContact.objects.select_related("client").filter(pk=requester_contact_id).first()
        if requester_contact_id
        else None
    )
    if requester is None:
        raise ValidationFailed(_("请选择委托人（已登记的客户联系人）。"), field="requester")
    service = ServiceType.objects.filter(code=service_code, active=True).first()
    if service is None:
        raise ValidationFailed(_("请选择服务目录中的服务事项。"), field="service")
    if requested_deadline is None:
        raise ValidationFailed(_("请填写客户要求的截止日期。"), field="requested_deadline")
    check_deadline(requested_deadline, today=now.astimezone(SHANGHAI).date())
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明加急原因（为什么急、急到什么程度）。"), field="reason")
    reason = clean_text(
        reason, field="reason", label=gettext_noop("加急原因"), max_length=MAX_REASON
    )
    if triage is not None:
        triage = replace(triage, deadline=requested_deadline)
    batch = Batch.objects.create(
        requester=requester,
        service=service,
        requested_deadline=requested_deadline,
        reason=reason,
        created_by=actor,
    )
    batch.reference = f"PL-{now.astimezone(SHANGHAI):%Y}-{batch.pk:05d}"
    batch.save(update_fields=["reference"])
    members = []
    for position, (company, client) in enumerate(zip(companies, clients, strict=True)):
        try:
            case = case_create(
                actor=actor,
                client_id=client.pk,
                service_code=service.code,
                requested_deadline=requested_deadline,
                reason=reason,
                now=now,
            )
            if triage is not None:
                data = replace(triage, facts={**triage.facts, **company.facts})
                case = case_triage(actor=actor, case=case, data=data, now=now)
        except NotAllowed:
            raise
        except DomainError as exc:
            raise CompanyRefused(client.name, exc) from exc
        BatchCase.objects.create(batch=batch, case=case, position=position)
        members.append(case)
    audit_record(
        kind=AuditKind.BATCH_CREATED,
        actor=actor,
        payload={
            "batch_id": batch.pk,
            "reference": batch.reference,
            "service": service.code,
            "requested_deadline": requested_deadline.isoformat(),
            "reason": reason,
            "requester": {
                "contact_id": requester.pk,
                "name": requester.name,
                "client_id": requester.client_id,
            },
            "cases": [
                {"case_id": c.pk, "reference": c.reference, "client_id": c.client_id}
                for c in members
            ],
            "verdicts": {c.reference: c.verdict for c in members} if triage else {},
        },
    )
    return batch


@transaction.atomic
def batch_triage(
    *,
    actor,
    batch: Batch,
    data: TriageInput,
    now: dt.datetime,
    notice: tuple[str, bytes] | None = None,
) -> list[Case]:
    """Triage every case of the batch the actor may see that is not yet quoted, with the same
    answers, as the case page would one by one; the batch's deadline becomes the one
    confirmed. `notice`: the written notice (file name, content), kept on each of them.

    All or nothing: a refused case refuses the batch triage (naming its company)."""
    _require(actor, Capability.TRIAGE, _("您的角色无权研判加急单。"))
    batch = Batch.objects.select_for_update(no_key=True).get(pk=batch.pk)
    cases = [c for c in batch_cases(batch, user=actor) if c.state in TRIAGEABLE]
    if not cases:
        raise ValidationFailed(
            _("本批没有可以研判的加急单：研判只适用于尚未报价的加急单。"), field="state"
        )
    decided = []
    for case in cases:
        try:
            if notice is not None:
                name, content = notice
                case_document_add(actor=actor, case=case, kind=NOTICE, name=name, content=content)
            decided.append(case_triage(actor=actor, case=case, data=data, now=now))
        except NotAllowed as exc:
            raise NotAllowed(
                gettext_noop("“%(company)s”：%(error)s"),
                params={"company": case.client.name, "error": localized(exc)},
            ) from exc
        except DomainError as exc:
            raise CompanyRefused(case.client.name, exc) from exc
    previous = batch.requested_deadline
    if data.deadline != previous:
        batch.requested_deadline = data.deadline
        batch.save(update_fields=["requested_deadline"])
    audit_record(
        kind=AuditKind.BATCH_TRIAGED,
        actor=actor,
        payload={
            "batch_id": batch.pk,
            "reference": batch.reference,
            "requested_deadline": data.deadline.isoformat(),
            "previous_deadline": previous.isoformat(),
            "verdicts": {c.reference: c.verdict for c in decided},
        },
    )
    return decided
