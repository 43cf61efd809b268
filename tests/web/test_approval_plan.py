"""An approval that removes a step re-plans the case: a refund signed off by the department
manager (under 50,000) no longer plans, shows or prints 总经理签批."""

import pytest
from django.utils import timezone

from expedite.approvals.services import approval_decide, approval_request
from expedite.audit.models import AuditEvent
from expedite.delivery.selectors import date_rows
from expedite.domain.approvals import ApprovalAction, steps_not_needed
from expedite.domain.roles import Role
from expedite.work.models import StepRun
from expedite.work.selectors import case_projection
from tests.factories import case_along

pytestmark = pytest.mark.django_db

GM_STEP = "gm-approval"


def refund_case(world, *, states=("quoted", "accepted")):
    return case_along(
        world, service="vat-credit-refund", days=40, reason="留抵退税", facts={}, states=states
    )


def refund(world, case, amount: int, approver):
    row = approval_request(
        actor=world.li,
        case=case,
        action="refund",
        amount=amount,
        justification=f"留抵退税 {amount} 元",
        now=timezone.now(),
    )
    return approval_decide(
        actor=approver, request=row, grant=True, reason="同意", now=timezone.now()
    )


def codes(case) -> list[str]:
    return list(
        StepRun.objects.filter(case=case).order_by("position").values_list("code", flat=True)
    )


def test_only_a_grant_below_the_general_manager_makes_the_sign_off_unnecessary():
    assert steps_not_needed([(ApprovalAction.REFUND, Role.MANAGER)]) == {GM_STEP}
    assert steps_not_needed([(ApprovalAction.REFUND, Role.GENERAL_MANAGER)]) == frozenset()
    assert steps_not_needed([(ApprovalAction.SURCHARGE_WAIVER, Role.MANAGER)]) == frozenset()


def test_the_department_managers_sign_off_drops_the_general_managers_step(world):
    case = refund_case(world)
    assert GM_STEP in codes(case)
    before = case_projection(case, now=timezone.now()).finish
    refund(world, case, 38000, world.chen)
    assert GM_STEP not in codes(case)
    # What waited on the sign-off now waits on what the sign-off waited on.
    review = StepRun.objects.get(case=case, code="review")
    assert review.depends_on == ["prepare"]
    after = case_projection(case, now=timezone.now()).finish
    assert after < before
    event = AuditEvent.objects.get(case=case, kind="case.plan_step_skipped")
    assert event.payload["step"] == GM_STEP
    # The signed 结果确认单 lists the steps as they are: no 总经理签批.
    assert not any("总经理签批" in row.label for row in date_rows(case, delivered=None))


def test_a_refund_that_needs_the_general_manager_keeps_the_step(world):
    case = refund_case(world)
    refund(world, case, 80000, world.liu)
    assert GM_STEP in codes(case)
    assert not AuditEvent.objects.filter(case=case, kind="case.plan_step_skipped").exists()


def test_a_sign_off_before_acceptance_is_laid_out_without_the_step(world):
    case = refund_case(world, states=("quoted",))
    refund(world, case, 38000, world.chen)
    from tests.factories import moved

    moved(world, case, "accepted")
    assert codes(case) and GM_STEP not in codes(case)
    assert StepRun.objects.get(case=case, code="review").depends_on == ["prepare"]
