"""Demo portal: an under-way case shares a 受理通知 PDF with its client. Idempotent: nothing is
added when the case already has a client-visible file. Every demo case has its link already
(issued when the case was created)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas

from expedite.cases.models import Case, CaseDocument
from expedite.cases.triage import case_document_add
from expedite.domain.roles import Role

from .services import document_set_client_visible


def _receipt_pdf(case: Case) -> bytes:

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A5, invariant=1)
    pdf.drawString(40, 500, f"{case.reference} - acceptance notice (demo)")
    pdf.save()
    return out.getvalue()


def portal_demo_load(*, users: dict) -> int:
    case = (
        Case.objects.filter(state__in=["in_progress", "accepted", "materials"])
        .order_by("pk")
        .first()
    )
    if case is None or CaseDocument.objects.filter(case=case, client_visible=True).exists():
        return 0
    liaison = users[Role.LIAISON]
    doc = case_document_add(
        actor=liaison,
        case=case,
        kind="portal:notice",
        name="受理通知书.pdf",
        content=_receipt_pdf(case),
    )
    manager = users.get(Role.MANAGER, liaison)
    document_set_client_visible(actor=manager, document=doc, visible=True)
    return 1
