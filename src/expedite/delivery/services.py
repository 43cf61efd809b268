"""Delivery: result files handed over by staff, and the client's signed confirmation.

Each action is one transaction with one audit event. Confirming writes the Confirmation,
renders and signs the PDF, stores it as a case file, and moves the case to confirmed through
the lifecycle: all or nothing. A wrong code is counted and recorded (that part commits) and
nothing else changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.files import safe_filename
from expedite.cases.lifecycle import case_transition_by_client
from expedite.cases.models import Case, CaseDocument
from expedite.cases.triage import case_document_add
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.cases import CaseState
from expedite.domain.delivery import (
    CONFIRMATION_KIND,
    RESULT_KIND,
    ConfirmationRecord,
    check_confirmable,
    check_evaluation,
)
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.filecheck import check_result_file
from expedite.domain.roles import Capability
from expedite.domain.sms import SmsKind
from expedite.notify.notices import tell_client
from expedite.portal.links import portal_path
from expedite.portal.services import code_consume
from expedite.reviews.services import review_reopen
from expedite.workdays.selectors import firm_calendar

from . import selectors
from .certs import firm_certificate
from .models import Confirmation
from .signing import sign_pdf

# Results are handed over while the case is worked on or reviewed: once delivered, what the
# client reads and signs for is what the supervisor reviewed. A late correction sends the case
# back to work (and through review) first.
RESULT_STATES = frozenset({CaseState.IN_PROGRESS, CaseState.REVIEW})


@transaction.atomic
def result_file_add(
    *, actor, case: Case, name: str, content: bytes, now: dt.datetime
) -> CaseDocument:
    """A result file (新执照扫描件, 回执 …), kept with its SHA-256.

    Its content is checked before anything is stored (`check_result_file`: real type, no
    HTML, no archive, no PDF that runs or unpacks anything). The client sees it only once a
    supervisor other than its uploader has passed it in review; added after someone reviewed
    the current round, it reopens the round.
    """
    if not user_can(actor, Capability.DELIVER_RESULT):
        raise NotAllowed(_("您的角色无权上传结果文件。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if CaseState(case.state) not in RESULT_STATES:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，不能再上传结果文件。"),
            field="file",
            params={"state": str(case.get_state_display())},
        )
    check_result_file(
        content, name=safe_filename(name), max_bytes=settings.EXPEDITE_MAX_UPLOAD_BYTES
    )
    document = case_document_add(
        actor=actor,
        case=case,
        kind=RESULT_KIND,
        name=name,
        content=content,
        event=AuditKind.RESULT_FILE_ADDED,
    )
    review_reopen(
        actor=actor, case=case, change=_("新增“%(name)s”") % {"name": document.name}, now=now
    )
    return document


def _ip(raw: str) -> str | None:
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return None


def delivery_confirm(
    *,
    case: Case,
    code_id: int | None,
    code: str,
    evaluation: str,
    remark: str,
    ip: str,
    now: dt.datetime,
    seen: str | None = None,
) -> Confirmation:
    """The client, through its portal link, confirms the result with a one-time code.

    `seen` is the digest of the result files the client's page showed (`results_digest`):
    when given, the confirmation is refused if the results have changed since.
    """
    evaluation_value, remark = check_evaluation(evaluation, remark)
    confirmation, problem = _confirm(
        case=case,
        code_id=code_id,
        code=code,
        evaluation=evaluation_value,
        remark=remark,
        ip=_ip(ip),
        now=now,
        seen=seen,
    )
    if problem is not None:
        raise problem
    return confirmation


@transaction.atomic
def _confirm(*, case, code_id, code, evaluation, remark, ip, now, seen=None):
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client", "service")
        .get(pk=case.pk)
    )
    check_confirmable(
        CaseState(case.state),
        result_files=selectors.client_result_files(case).count(),
        confirmed=Confirmation.objects.filter(case=case).exists(),
    )
    if selectors.unreviewed_result_files(case):
        # Delivery waits for the review; this holds for a case delivered before it did. The
        # client is not told the names of files it is not shown.
        raise ValidationFailed(
            gettext_noop("部分结果文件尚未经本所复核，暂不能确认；请联系您的客户对接专员。"),
            field="results",
        )
    if seen is not None and seen != selectors.results_digest(case):
        raise ValidationFailed(
            _("结果文件在您打开本页后有更新，请刷新页面、核对最新的结果文件后再确认。"),
            field="results",
        )
    row, problem = code_consume(case=case, code_id=code_id, code=code, now=now)
    if problem is not None:
        return None, problem
    cert = firm_certificate()
    record = ConfirmationRecord(
        case_reference=case.reference or "",
        client_name=case.client.name,
        contact_name=row.contact.name,
        confirmed_at=now,
        ip=ip or "",
        code_id=row.pk,
        evaluation=evaluation,
        remark=remark,
    )
    confirmation = Confirmation.objects.create(
        case=case,
        evaluation=evaluation.value,
        remark=remark,
        contact_name=row.contact.name,
        confirmed_at=now,
        ip=ip,
        code_number=row.pk,
        signer_subject=cert.subject[:300],
        signer_sha256=cert.sha256,
        self_signed=cert.self_signed,
    )
    case = case_transition_by_client(case=case, to=CaseState.CONFIRMED.value, now=now)
    tz = timezone.get_default_timezone()
    # The form is the client's: in the language of the contact who confirms it.
    with override(row.contact.language):
        sheet = selectors.sheet_for(case, firm=settings.EXPEDITE_FIRM_NAME)
        # ReportLab loads when a confirmation is drawn, not with every process that serves.
        from .pdf import confirmation_pdf

        pdf = confirmation_pdf(
            sheet,
            record,
            remark=remark,
            signer=cert.subject,
            signer_sha256=cert.sha256,
            self_signed=cert.self_signed,
            tz=tz,
            calendar=firm_calendar(),
        )
        name = _("%(ref)s-结果确认单.pdf") % {"ref": case.reference}
    signed = sign_pdf(
        pdf,
        reason=record.signature_reason(tz),
        location=settings.EXPEDITE_FIRM_NAME,
        contact=f"{record.contact_name}; IP {record.ip or '-'}; code #{record.code_id}",
    )
    document = case_document_add(
        actor=None,
        case=case,
        kind=CONFIRMATION_KIND,
        name=name,
        content=signed,
        client=True,
        client_visible=True,
    )
    confirmation.document = document
    confirmation.save(update_fields=["document"])
    audit_record(
        kind=AuditKind.DELIVERY_CONFIRMED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        case=case,
        payload={
            "confirmation": confirmation.pk,
            "contact": record.contact_name,
            "ip": record.ip,
            "code": row.pk,
            "evaluation": evaluation.value,
            "remark": remark,
            "document": document.pk,
            "sha256": hashlib.sha256(signed).hexdigest(),
            "signer": cert.subject,
            "signer_sha256": cert.sha256,
            "self_signed": cert.self_signed,
        },
    )
    return confirmation, None


def tell_client_delivered(case: Case, previous, actor, now: dt.datetime) -> None:
    """When the result is handed over, the client hears it is ready to check and confirm — by
    e-mail and text message, each contact as it chose (a follower of the case's moves)."""
    if case.state != CaseState.DELIVERED.value or previous == CaseState.DELIVERED:
        return

    def compose() -> tuple[str, str]:
        values = {
            "service": case.service.display_name(get_language()),
            "ref": case.reference,
        }
        subject = _("【结果待确认】%(ref)s %(service)s 已办结") % values
        lines = [
            _("您委托的“%(service)s”（%(ref)s）已办结，结果文件已放在进度页面，请查看并确认。")
            % values
        ]
        path = portal_path(case)
        if path:
            lines.append(settings.EXPEDITE_PUBLIC_URL.rstrip("/") + path)
        return subject, "\n".join(lines) + "\n"

    tell_client(
        # Each handover of a result is its own message: after rework it is handed over again.
        key=f"delivered:{case.pk}:{now.isoformat()}",
        case=case,
        compose=compose,
        now=now,
        sms=(
            SmsKind.DELIVERY,
            {"service": case.service.display_name("zh-hans"), "ref": case.reference},
        ),
    )
