"""What the delivery pages and the 结果确认单 read: result files, dates, fees, the confirmation."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from expedite.audit.models import AuditEvent
from expedite.cases.costs import fee_comparison
from expedite.cases.models import Case, CaseDocument
from expedite.cases.words import term
from expedite.domain.audit import AuditKind
from expedite.domain.delivery import CONFIRMATION_KIND, RESULT_KIND, DateRow
from expedite.reviews.selectors import reviewed_result_ids

from .models import Confirmation


def result_files(case: Case) -> QuerySet[CaseDocument]:
    """Every result file of the case, reviewed or not (the staff's view)."""
    return CaseDocument.objects.filter(case=case, kind=RESULT_KIND).order_by("uploaded_at", "pk")


def client_result_files(case: Case) -> QuerySet[CaseDocument]:
    """The result files the client sees and signs for: shared, and passed in review by
    someone other than their uploader (both, so a file shared by any other path stays out)."""
    return result_files(case).filter(client_visible=True, pk__in=reviewed_result_ids(case))


def unreviewed_result_files(case: Case) -> list[CaseDocument]:
    reviewed = reviewed_result_ids(case)
    return [d for d in result_files(case) if d.pk not in reviewed]


def results_digest(case: Case) -> str:
    """One value for the set of result files the client is shown: the confirm page carries it,
    so a client never signs for files it was not shown."""
    shas = sorted(client_result_files(case).values_list("sha256", flat=True))
    return hashlib.sha256(",".join(shas).encode()).hexdigest()


def confirmation_of(case: Case):

    return Confirmation.objects.select_related("document").filter(case=case).first()


def signed_document(case: Case) -> CaseDocument | None:
    confirmation = confirmation_of(case)
    return confirmation.document if confirmation else None


def delivered_at(case: Case) -> dt.datetime | None:
    """When the case last moved to delivered (the result handed over)."""
    event = (
        AuditEvent.objects.filter(
            case=case, kind=AuditKind.CASE_STATE_CHANGED, payload__to="delivered"
        )
        .order_by("-seq")
        .first()
    )
    return event.time if event else None


@dataclass(frozen=True)
class FileLine:
    name: str
    sha256: str
    size: int
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class FeeSummary:
    quoted: Decimal
    base: Decimal
    quoted_extra: Decimal
    actual_extra: Decimal
    by_kind: list[tuple[str, Decimal]]
    overtime_hours: Decimal


@dataclass(frozen=True)
class Sheet:
    """Everything printed on the 加急服务结果确认单, read at the moment of confirming."""

    reference: str
    firm: str
    client_name: str
    client_uscc: str
    service_name: str
    requested_deadline: dt.date
    delivered_at: dt.datetime | None
    files: list[FileLine]
    dates: list[DateRow]
    fees: FeeSummary


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def date_rows(case: Case, *, delivered: dt.datetime | None) -> list[DateRow]:
    """The promise and each step: planned vs actual (Track/step data from the work app), in
    the active language."""
    option = (case.triage or {}).get("recommended_option") or {}
    promised = dt.date.fromisoformat(option["finish"]) if option.get("finish") else None
    rows = [
        DateRow(_("客户要求截止"), case.requested_deadline, _local_date(delivered)),
        DateRow(_("承诺完成（报价方案）"), promised, _local_date(delivered)),
    ]
    for step in case.steps.select_related("track").order_by("position", "pk"):
        rows.append(
            DateRow(
                _("%(step)s（%(track)s）")
                % {"step": term(step.name), "track": term(step.track.name)},
                _local_date(step.planned_finish),
                _local_date(step.finished_at),
            )
        )
    return rows


def fee_summary(case: Case) -> FeeSummary:
    c = fee_comparison(case)
    return FeeSummary(
        quoted=c["quoted"],
        base=c["base"],
        quoted_extra=c["quoted_extra"],
        actual_extra=c["actual_extra"],
        by_kind=[(str(label), amount) for label, amount in c["by_kind"]],
        overtime_hours=c["hours"],
    )


def sheet_for(case: Case, *, firm: str) -> Sheet:
    delivered = delivered_at(case)
    return Sheet(
        reference=case.reference or "",
        firm=firm,
        client_name=case.client.name,
        client_uscc=case.client.uscc,
        service_name=case.service.display_name(get_language()),
        requested_deadline=case.requested_deadline,
        delivered_at=delivered,
        files=[
            FileLine(d.name, d.sha256, d.size, d.uploaded_at) for d in client_result_files(case)
        ],
        dates=date_rows(case, delivered=delivered),
        fees=fee_summary(case),
    )


def is_confirmation_document(document: CaseDocument) -> bool:
    return document.kind == CONFIRMATION_KIND
