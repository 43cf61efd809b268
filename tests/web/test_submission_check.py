"""递交前复核: before the first submission to an authority, a supervisor who did not prepare
the case checks signatures, seals and forms. The final review before delivery stays."""

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.notify.models import OutboxMessage
from expedite.reviews.models import SubmissionCheck
from expedite.reviews.selectors import submission_checklist
from expedite.reviews.submission import submission_check
from expedite.work.models import StepRun
from expedite.work.steps import step_finish, step_start
from tests.conftest import PASSWORD
from tests.factories import case_along

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(world):
    """A labour-dispatch licence under way: its first step (本所) done by the supervisor."""
    case = case_along(
        world,
        service="labor-dispatch-license",
        days=40,
        reason="新设劳务派遣业务",
        facts={"business_license_valid": True, "registered_capital": 3000000},
        states=("quoted", "accepted", "in_progress"),
    )
    collect = StepRun.objects.get(case=case, code="collect")
    step_start(actor=world.zhao, step=collect, now=timezone.now())
    step_finish(actor=world.zhao, step=collect, now=timezone.now(), actual_hours="2")
    return case


def answers(case, problem: str = "") -> list[dict]:
    return [
        {"item": i, "ok": i != problem, "note": "漏盖公章" if i == problem else ""}
        for i in submission_checklist(case)
    ]


def filing(case) -> StepRun:
    return StepRun.objects.get(case=case, code="review")  # 材料审核 at the 人社局


def test_the_first_submission_waits_for_the_check(world, licence):
    with pytest.raises(ValidationFailed, match="须先由主管完成递交前复核"):
        step_start(actor=world.zhao, step=filing(licence), now=timezone.now())
    assert filing(licence).started_at is None


def test_the_api_is_held_by_the_same_gate(client, world, licence):
    token = api_token_create(user=world.zhao, name="ci")[1]
    response = client.post(
        f"/api/v1/steps/{filing(licence).pk}/start", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 422
    assert "递交前复核" in response.json()["detail"][0]["message"]
    assert filing(licence).started_at is None


def test_whoever_prepared_the_case_may_not_check_it(world, licence):
    with pytest.raises(NotAllowed, match="四眼原则"):
        submission_check(
            actor=world.zhao, case=licence, results=answers(licence), now=timezone.now()
        )
    assert not SubmissionCheck.objects.exists()


def test_a_failed_check_holds_then_a_pass_lets_the_filing_start(world, licence):
    items = submission_checklist(licence)
    assert "申请材料签字、盖章齐全" in items
    failed = submission_check(
        actor=world.chen, case=licence, results=answers(licence, items[0]), now=timezone.now()
    )
    assert not failed.passed
    with pytest.raises(ValidationFailed):
        step_start(actor=world.zhao, step=filing(licence), now=timezone.now())
    passed = submission_check(
        actor=world.chen, case=licence, results=answers(licence), now=timezone.now()
    )
    assert passed.passed
    step_start(actor=world.zhao, step=filing(licence), now=timezone.now())
    assert filing(licence).started_at is not None
    kinds = AuditEvent.objects.filter(case=licence, kind="review.submission_checked")
    assert [e.payload["passed"] for e in kinds.order_by("seq")] == [False, True]
    with pytest.raises(ValidationFailed, match="无需重复"):
        submission_check(
            actor=world.chen, case=licence, results=answers(licence), now=timezone.now()
        )


def test_the_page_offers_the_check_to_a_supervisor_and_takes_it(client, world, licence):
    client.login(username="chen", password=PASSWORD)
    panel = client.get(reverse("case_panel", args=[licence.pk, "submission"])).content.decode()
    assert "递交前复核" in panel and "申请材料签字、盖章齐全" in panel
    post = {f"ok_{i}": "ok" for i in range(len(submission_checklist(licence)))}
    page = client.post(
        reverse("case_submission_check", args=[licence.pk]), post, follow=True
    ).content.decode()
    assert "递交前复核通过，可以递交" in page
    assert SubmissionCheck.objects.get(case=licence).passed
    panel = client.get(reverse("case_panel", args=[licence.pk, "submission"])).content.decode()
    assert "已通过" in panel and 'name="ok_0"' not in panel


def test_a_service_without_a_submission_checklist_is_not_held(world):
    case = case_along(
        world,
        reason="银行贷款需要营业执照",
        facts={"resolution_signed": True},
        states=("quoted", "accepted", "in_progress"),
    )
    assert submission_checklist(case) == ()
    for step in StepRun.objects.filter(case=case).order_by("position"):
        step_start(actor=world.zhao, step=step, now=timezone.now())
        step_finish(actor=world.zhao, step=step, now=timezone.now(), actual_hours="1")
    assert not OutboxMessage.objects.filter(key__startswith="handoff:submission").exists()
