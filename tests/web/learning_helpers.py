"""Cases brought to confirmed (or further) for the satisfaction and retrospective tests."""

from __future__ import annotations

from django.utils import timezone

from expedite.cases.lifecycle import case_transition
from tests.factories import case_along


def pass_review(world, case):
    from expedite.reviews.selectors import review_checklist
    from expedite.reviews.services import self_check, supervisor_review

    results = [{"item": i, "ok": True} for i in review_checklist(case)]
    self_check(actor=world.li, case=case, results=results, now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=results, now=timezone.now())


def case_at(world, state: str = "confirmed", client=None, service_code="business-change"):
    """A business-change case of 鲜达 (or `client`) moved along the happy path up to `state`."""
    case = case_along(
        world, client=client, service=service_code, days=40, facts={"resolution_signed": True}
    )
    path = ["quoted", "accepted", "materials", "in_progress", "review", "delivered", "confirmed"]
    for to in path[: path.index(state) + 1] if state in path else path:
        case = advance(world, case, to)
    return case


def advance(world, case, to: str):
    """One step along the happy path; delivery carries a result and confirming is the
    client's, with its one-time code."""
    from expedite.cases.models import Case
    from expedite.delivery.services import result_file_add
    from tests.web.delivery_helpers import client_confirms, result_pdf

    if to == "delivered":
        result_file_add(
            actor=world.zhang,
            case=case,
            name="新营业执照.pdf",
            content=result_pdf(),
            now=timezone.now(),
        )
        pass_review(world, case)
    if to == "confirmed":
        client_confirms(case)
        return Case.objects.get(pk=case.pk)
    return case_transition(actor=world.zhang, case=case, to=to, now=timezone.now())
