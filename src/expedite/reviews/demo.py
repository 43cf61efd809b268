"""Demo data for the double review: one case waiting for the supervisor, and the seed's story —
the handler filled a 即征即退 project in as 免抵退, the supervisor caught it, the second round
passed and the case was delivered. Idempotent: each case is looked up by its reason."""

from __future__ import annotations

from expedite.approvals.demo import demo_refund_signed_off
from expedite.cases.demo_layout import Layout, demo_case_open, demo_intake
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.domain.roles import Role
from expedite.domain.triage import Verdict

from .selectors import review_checklist, submission_checklist, submission_passed
from .services import FindingInput, self_check, supervisor_review
from .submission import submission_check

AWAITING = "季度增值税及附加税申报本周截止，客户财务临时请假，委托本所加急代为申报。"
CAUGHT = "客户资金周转紧张，要加急办理增值税留抵退税（含软件产品即征即退项目）。"
MIX_UP = "即征即退与免抵退项目是否填对"
DEMO_REVIEW_CASES = (AWAITING, CAUGHT)


def _open_in_review(*, client, service: str, layout: Layout, reason: str, users, now) -> Case:
    liaison = users[Role.LIAISON]
    case = demo_case_open(
        actor=liaison,
        client=client,
        service_code=service,
        reason=reason,
        data=demo_intake(written_notice=True, consequence="regulatory_penalty"),
        layout=layout,
        now=now,
    )
    for state in ("quoted", "accepted", "in_progress", "review"):
        if state == "in_progress" and service == "vat-credit-refund":
            demo_refund_signed_off(case, now=now)
        case = case_transition(actor=liaison, case=case, to=state, now=now)
    return case


def _all_ok(case: Case) -> list[dict]:
    return [{"item": item, "ok": True} for item in review_checklist(case)]


def review_demo(*, users, clients, now) -> int:
    """Create the two demo cases when missing; returns how many were created."""
    handler, supervisor = users[Role.PROCESS], users[Role.SUPERVISOR]
    created = 0
    if not Case.objects.filter(reason=AWAITING).exists():
        case = _open_in_review(
            client=clients[2],
            service="tax-filing",
            # Due this week: only the expedited path makes it.
            layout=Layout(Verdict.EXPEDITE),
            reason=AWAITING,
            users=users,
            now=now,
        )
        self_check(actor=handler, case=case, results=_all_ok(case), now=now)
        created += 1
    if not Case.objects.filter(reason=CAUGHT).exists():
        case = _open_in_review(
            client=clients[0],
            service="vat-credit-refund",
            layout=Layout(Verdict.NOT_NEEDED, pick=4),
            reason=CAUGHT,
            users=users,
            now=now,
        )
        self_check(actor=handler, case=case, results=_all_ok(case), now=now)
        note = "经办人赶时间，把软件产品的“即征即退”项目填成了“免抵退”。"
        results = [
            {"item": r["item"], "ok": False, "note": note} if r["item"] == MIX_UP else r
            for r in _all_ok(case)
        ]
        supervisor_review(
            actor=supervisor,
            case=case,
            results=results,
            findings=[
                FindingInput(
                    item=MIX_UP,
                    description=note,
                    correction="改按即征即退项目填报，重新核对退税申请表与申报表，避免客户多缴税。",
                )
            ],
            now=now,
        )
        created += 1
    return created


def demo_submission_checked(*, users, now) -> None:
    """The labour-dispatch case under way went through 递交前复核 before its materials went to
    the 人社局: the supervisor found the seal missing on one form, then passed it."""
    case = Case.objects.filter(service__code="labor-dispatch-license", state="in_progress").first()
    supervisor = users.get(Role.SUPERVISOR)
    if case is None or supervisor is None or submission_passed(case) is not None:
        return
    items = submission_checklist(case)
    if not items:
        return
    first = [{"item": i, "ok": i != items[0], "note": ""} for i in items]
    first[0]["note"] = "承诺书漏盖公章"
    submission_check(actor=supervisor, case=case, results=first, now=now)
    again = [{"item": i, "ok": True} for i in items]
    submission_check(actor=supervisor, case=case, results=again, now=now)
