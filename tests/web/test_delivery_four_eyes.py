"""Four eyes on what the client receives: a result file reaches the client only once someone
other than its uploader has passed it in review, and any change after a review reopens it."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case, CaseDocument
from expedite.cases.triage import case_document_add
from expedite.delivery.services import result_file_add
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.notify.models import OutboxMessage
from expedite.portal import links
from expedite.portal.services import document_set_client_visible
from expedite.reviews.models import Review
from expedite.reviews.selectors import review_checklist
from expedite.reviews.services import self_check, supervisor_review
from tests.conftest import PASSWORD
from tests.web.delivery_helpers import case_in_review, pass_review, result_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def _ok(case):
    return [{"item": i, "ok": True} for i in review_checklist(case)]


def _portal(client, case) -> str:
    return client.get(links.portal_path(case)).content.decode()


def _portal_file(client, case, doc):
    return client.get(reverse("portal_file", args=[links.portal_token(case), doc.pk]))


def _upload_page(client, case, name, content):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("delivery_result_upload", args=[case.pk]), {"file": upload})


def _deliver(world, case):
    return case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())


def test_an_upload_after_the_review_passed_reopens_it_and_the_file_is_not_delivered(client, world):
    case = case_in_review(world)
    first = result_file_add(
        actor=world.zhang,
        case=case,
        name="新营业执照.pdf",
        content=result_pdf("licence"),
        now=timezone.now(),
    )
    pass_review(world, case)
    # The process specialist adds another file once the supervisor has passed the round.
    late = result_file_add(
        actor=world.li,
        case=case,
        name="补充材料.pdf",
        content=result_pdf("late addition"),
        now=timezone.now(),
    )
    case.refresh_from_db()
    assert case.state == "in_progress"  # the round is reopened: back to work, then review
    # Recorded: the file, then the reopened round (the state change names the file and round).
    added, back = AuditEvent.objects.filter(case=case).order_by("-seq")[:2][::-1]
    assert added.kind == "delivery.result_added" and added.payload["document"] == late.pk
    assert back.kind == "case.state_changed" and back.payload["to"] == "in_progress"
    assert "补充材料.pdf" in back.payload["reason"] and "第 1 轮" in back.payload["reason"]
    # The supervisor who passed it hears of it.
    note = OutboxMessage.objects.get(
        user=world.zhao, channel="inapp", case=case, key__startswith="review:reopened:"
    )
    assert "补充材料.pdf" in note.body and case.reference in note.subject
    # The client is offered the reviewed file only; the new one cannot be fetched at all.
    page = _portal(client, case)
    assert first.sha256 in page and late.sha256 not in page and "补充材料" not in page
    assert _portal_file(client, case, late).status_code == 404
    assert _portal_file(client, case, first).status_code == 200
    with pytest.raises(ValidationFailed):
        _deliver(world, case)
    # Back in review, the round must be done again before the case goes out.
    case = case_transition(actor=world.li, case=case, to="review", now=timezone.now())
    with pytest.raises(ValidationFailed, match="复核未完成，不能交付"):
        _deliver(world, case)
    pass_review(world, case)
    assert _deliver(world, case).state == "delivered"
    assert _portal_file(client, case, late).status_code == 200


def test_delivery_is_refused_while_a_result_file_is_unreviewed_whatever_added_it(world):
    case = case_in_review(world)
    result_file_add(
        actor=world.zhang, case=case, name="执照.pdf", content=result_pdf(), now=timezone.now()
    )
    pass_review(world, case)
    # A file put on the case by another path than the upload service, after the review.
    case_document_add(
        actor=world.li, case=case, kind="result", name="未复核.pdf", content=result_pdf("x")
    )
    with pytest.raises(ValidationFailed, match=r"“未复核\.pdf”未经复核"):
        _deliver(world, case)
    assert Case.objects.get(pk=case.pk).state == "review"


def test_delivery_is_refused_when_a_file_was_reviewed_by_its_own_uploader(world):
    case = case_in_review(world)
    doc = result_file_add(
        actor=world.zhao, case=case, name="执照.pdf", content=result_pdf(), now=timezone.now()
    )
    self_check(actor=world.li, case=case, results=_ok(case), now=timezone.now())
    # A review row written by the uploader (an import, an older version): delivery still holds.
    Review.objects.create(
        case=case,
        stage="supervisor",
        round=1,
        reviewer=world.zhao,
        results=_ok(case),
        passed=True,
        created_at=timezone.now(),
        files=[{"document": doc.pk, "sha256": doc.sha256, "name": doc.name}],
    )
    with pytest.raises(ValidationFailed, match="复核人就是上传人"):
        _deliver(world, case)


def test_a_supervisor_who_uploaded_a_result_may_not_pass_its_review(client, world):
    case = case_in_review(world)
    result_file_add(
        actor=world.zhao, case=case, name="执照.pdf", content=result_pdf(), now=timezone.now()
    )
    self_check(actor=world.li, case=case, results=_ok(case), now=timezone.now())
    with pytest.raises(NotAllowed, match=r"四眼原则.*上传"):
        supervisor_review(actor=world.zhao, case=case, results=_ok(case), now=timezone.now())
    assert not Review.objects.filter(case=case, stage="supervisor").exists()
    # The API answers the same, and the page does not offer her the form.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhao, name='t')[1]}"}
    body = {"stage": "supervisor", "results": _ok(case), "findings": []}
    r = client.post(
        f"/api/v1/cases/{case.pk}/reviews", body, content_type="application/json", **auth
    )
    assert r.status_code == 403 and "四眼原则" in r.json()["detail"][0]["message"]
    assert client.login(username="zhao", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("case_supervisor_review", args=[case.pk]) not in html
    with pytest.raises(ValidationFailed, match="缺少主管复核"):
        _deliver(world, case)
    # Another supervisor's pass delivers it.
    supervisor_review(actor=world.chen, case=case, results=_ok(case), now=timezone.now())
    assert _deliver(world, case).state == "delivered"


def test_the_client_cannot_fetch_an_unreviewed_result_by_guessing_its_id(client, world):
    case = case_in_review(world)
    assert client.login(username="zhang", password=PASSWORD)
    r = _upload_page(client, case, "新营业执照.pdf", result_pdf())
    assert r.status_code == 302
    doc = CaseDocument.objects.get(case=case, kind="result")
    client.logout()
    assert not doc.client_visible
    page = _portal(client, case)
    assert doc.sha256 not in page and doc.name not in page
    assert _portal_file(client, case, doc).status_code == 404
    assert doc.sha256 not in client.get(links.portal_path(case) + "confirm/").content.decode()
    # Staff cannot share it by hand either.
    with pytest.raises(ValidationFailed, match="复核"):
        document_set_client_visible(actor=world.zhang, document=doc, visible=True)
    assert _portal_file(client, case, doc).status_code == 404
    # Once another person has passed it, the client gets it.
    pass_review(world, case)
    assert _portal_file(client, case, doc).status_code == 200
    assert doc.sha256 in _portal(client, case)


def test_a_change_during_the_round_reopens_it_even_before_the_supervisor(world):
    case = case_in_review(world)
    result_file_add(
        actor=world.li, case=case, name="执照.pdf", content=result_pdf(), now=timezone.now()
    )
    self_check(actor=world.li, case=case, results=_ok(case), now=timezone.now())
    result_file_add(
        actor=world.li,
        case=case,
        name="执照-更正.pdf",
        content=result_pdf("v2"),
        now=timezone.now(),
    )
    assert Case.objects.get(pk=case.pk).state == "in_progress"
    # The handler who reopened their own round is not told about it.
    assert not OutboxMessage.objects.filter(
        case=case, user=world.li, key__startswith="review:reopened:"
    ).exists()


def test_an_upload_before_anyone_reviewed_the_round_changes_nothing_else(world):
    case = case_in_review(world)
    messages = OutboxMessage.objects.filter(case=case).count()
    result_file_add(
        actor=world.li, case=case, name="执照.pdf", content=result_pdf(), now=timezone.now()
    )
    assert Case.objects.get(pk=case.pk).state == "review"
    assert OutboxMessage.objects.filter(case=case).count() == messages
