"""Shared pieces of the delivery tests: a delivered case of 恒信 (吴刚 has an e-mail address),
a result file, and the client's confirmation through the portal."""

from __future__ import annotations

import io
import re

from django.utils import timezone

from expedite.cases.lifecycle import case_transition
from expedite.delivery.services import result_file_add
from expedite.portal import links
from tests.factories import case_along


def result_pdf(text: str = "营业执照（副本）扫描件") -> bytes:
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A5, invariant=1)
    pdf.drawString(40, 500, text.encode("ascii", "replace").decode())
    pdf.save()
    return out.getvalue()


def pass_review(world, case) -> None:
    from expedite.reviews.selectors import review_checklist
    from expedite.reviews.services import self_check, supervisor_review

    results = [{"item": i, "ok": True} for i in review_checklist(case)]
    self_check(actor=world.li, case=case, results=results, now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=results, now=timezone.now())


def case_in_review(world, client=None):
    return case_along(
        world,
        client=client or world.hengxin,
        days=40,
        reason="变更法定代表人，签约要用新执照",
        facts={"resolution_signed": True},
        states=("quoted", "accepted", "in_progress", "review"),
    )


def add_result(world, case, n: int = 1, *, by=None):
    """A result file uploaded by the liaison (or `by`), before the review that passes it."""
    return result_file_add(
        actor=by or world.zhang,
        case=case,
        name=f"新营业执照{n}.pdf",
        content=result_pdf(f"licence {n}"),
        now=timezone.now(),
    )


def delivered_case(world, client=None, *, results: int = 1):
    case = case_in_review(world, client)
    for n in range(results):
        add_result(world, case, n + 1)
    pass_review(world, case)
    return case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())


def client_confirms(case, *, evaluation: str = "satisfied"):
    """The client's confirmation without a mail round trip: a code issued to its first contact
    is entered at once (the portal tests cover sending it)."""
    from expedite.delivery.services import delivery_confirm
    from expedite.portal.services import code_issue

    row, code = code_issue(case=case, contact=case.client.contacts.first(), now=timezone.now())
    return delivery_confirm(
        case=case,
        code_id=row.pk,
        code=code,
        evaluation=evaluation,
        remark="",
        ip="127.0.0.1",
        now=timezone.now(),
    )


def confirm_url(case) -> str:
    return links.portal_path(case) + "confirm/"


def mailed_code(inbox) -> str:
    return re.search(r"验证码是 (\d{6})", inbox.texts()[-1][1]).group(1)


def confirm_through_portal(client, case, inbox, *, evaluation="satisfied", remark=""):
    """The client's two steps on /p/<token>/confirm/; returns the confirming response."""
    contact = case.client.contacts.get()
    client.post(confirm_url(case), {"action": "send", "contact": contact.pk})
    return client.post(
        confirm_url(case),
        {
            "action": "confirm",
            "evaluation": evaluation,
            "remark": remark,
            "code": mailed_code(inbox),
        },
    )
