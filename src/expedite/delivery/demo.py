"""Demo delivery: the delivered 留抵退税 case (its result file comes with the review demo) waits
for the client's confirmation; a red-letter invoice case (the compliant way to fix last
month's invoice title) was confirmed by the client and carries its signed 结果确认单.
Idempotent: looked up by reason and by existing rows."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas

from expedite.cases.demo_layout import Layout, demo_case_open, demo_intake
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.domain.roles import Role
from expedite.domain.triage import Verdict
from expedite.portal.links import portal_path
from expedite.portal.services import code_issue
from expedite.reviews.demo import CAUGHT
from expedite.reviews.selectors import review_checklist
from expedite.reviews.services import self_check, supervisor_review

from .models import Confirmation
from .services import delivery_confirm, result_file_add

CONFIRMED = "上月发票抬头开错，按合规方式开具红字发票冲销后重开，客户月底前要入账（演示：已签收）。"
DEMO_DELIVERY_CASES = (CONFIRMED,)


def result_pdf(title: str) -> bytes:

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A5, invariant=1)
    pdf.drawString(40, 500, title)
    pdf.save()
    return out.getvalue()


def _confirmed_case(users, client, now) -> Case:
    liaison = users[Role.LIAISON]
    case = demo_case_open(
        actor=liaison,
        client=client,
        service_code="invoice-correction",
        reason=CONFIRMED,
        data=demo_intake(written_notice=True, consequence="regulatory_penalty"),
        layout=Layout(Verdict.NOT_NEEDED, pick=3),
        now=now,
    )
    for state in ("quoted", "accepted", "in_progress"):
        case = case_transition(actor=liaison, case=case, to=state, now=now)
    title = f"{case.reference} red-letter invoice and reissued invoice (demo)"
    return _review_and_deliver(users, case, "红字发票及重开发票.pdf", title, now)


def _review_and_deliver(users: dict, case: Case, name: str, title: str, now) -> Case:
    """The handler uploads the result and moves the case to review; both reviews pass; the
    liaison delivers."""
    handler = users[Role.PROCESS]
    result_file_add(actor=handler, case=case, name=name, content=result_pdf(title), now=now)
    case = case_transition(actor=handler, case=case, to="review", now=now)
    ok = [{"item": item, "ok": True} for item in review_checklist(case)]
    self_check(actor=handler, case=case, results=ok, now=now)
    supervisor_review(actor=users[Role.SUPERVISOR], case=case, results=ok, now=now)
    return case_transition(actor=users[Role.LIAISON], case=case, to="delivered", now=now)


def _deliver_corrected(users: dict, now) -> int:
    """The refund the supervisor sent back (reviews demo): the corrected application is the
    result the supervisor reviews again and the client gets."""
    case = Case.objects.filter(reason=CAUGHT, state="in_progress").first()
    if case is None:
        return 0
    title = f"{case.reference} VAT credit refund accepted (demo)"
    _review_and_deliver(users, case, "增值税留抵退税申请表（已受理）.pdf", title, now)
    return 1


def delivery_demo_load(*, users: dict, clients: list, now) -> int:
    """Returns how many cases it changed."""
    changed = _deliver_corrected(users, now)
    if not Case.objects.filter(reason=CONFIRMED).exists():
        case = _confirmed_case(users, clients[2], now)
        # The client's code, as its contact would have received it by e-mail.
        row, code = code_issue(case=case, contact=case.client.contacts.first(), now=now)
        delivery_confirm(
            case=case,
            code_id=row.pk,
            code=code,
            evaluation="satisfied",
            remark="时效很快，但希望进度日报能更早发送。",
            ip="127.0.0.1",
            now=now,
        )
        changed += 1
    return changed


def demo_links() -> list[tuple[str, str]]:
    """(what, portal path) for the demo's delivery cases, printed by `expedite demo`."""
    out = []
    waiting = Case.objects.filter(reason=CAUGHT, state="delivered").first()
    if waiting is not None and (path := portal_path(waiting)):
        out.append((f"{waiting.reference} 待客户确认结果", path))
    done = Confirmation.objects.filter(case__reason=CONFIRMED).select_related("case").first()
    if done is not None and (path := portal_path(done.case)):
        out.append((f"{done.case.reference} 已签署确认单", path))
    return out
