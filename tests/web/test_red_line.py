"""A case refused on a red line never runs as asked: only as the compliant alternative, once
the client's agreement is on record — on the page, through the API and in the service."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite import clock
from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.cases.alternative import case_adopt_alternative
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.cases.triage import TriageInput, case_triage
from expedite.domain.errors import NotAllowed, ValidationFailed
from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def far() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=60)


@pytest.fixture
def refused(world):
    case = new_case(world, service="invoice-title-change", deadline=far(), reason="改抬头")
    return case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(deadline=far(), written_notice=True, facts={"cross_month": True}),
        now=clock.now(),
    )


def _state(case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return case.state, case.service.code, AuditEvent.objects.filter(case=case).count()


@pytest.mark.parametrize("to", ["quoted", "accepted"])
def test_a_refused_case_cannot_be_quoted_or_accepted_as_asked(world, refused, to):
    if to == "accepted":  # even reached by some other path, acceptance holds too
        Case.objects.filter(pk=refused.pk).update(state="quoted")
    before = _state(refused)
    with pytest.raises(ValidationFailed, match="合规红线") as refusal:
        case_transition(actor=world.chen, case=refused, to=to, now=clock.now())
    assert "开具红字发票" in str(refusal.value.params["alternative"])
    assert _state(refused) == before


def test_the_page_refuses_the_quote_and_offers_the_alternative(client, world, refused):
    client.login(username="zhang", password=PASSWORD)
    before = _state(refused)
    page = client.post(
        reverse("case_move", args=[refused.pk]), {"to": "quoted"}, follow=True
    ).content.decode()
    assert "不能按客户原要求报价或接受" in page
    assert _state(refused) == before
    triage = client.get(reverse("case_panel", args=[refused.pk, "triage"])).content.decode()
    assert reverse("case_alternative", args=[refused.pk]) in triage
    assert "记录客户同意，改办替代方案" in triage


def test_the_api_cannot_walk_through_the_red_line(client, world, refused):
    token = api_token_create(user=world.zhang, name="ci")[1]
    before = _state(refused)
    response = client.post(
        f"/api/v1/cases/{refused.pk}/transitions",
        {"to": "quoted"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422, response.content
    assert "合规红线" in response.json()["detail"][0]["message"]
    assert _state(refused) == before


def test_the_client_agreement_converts_the_case_to_the_alternative(client, world, refused):
    client.login(username="zhang", password=PASSWORD)
    url = reverse("case_alternative", args=[refused.pk])
    # No record of how the client agreed: refused, nothing written.
    before = _state(refused)
    page = client.post(url, {"agreement": "  "}, follow=True).content.decode()
    assert "请填写客户同意的记录" in page and _state(refused) == before
    page = client.post(
        url, {"agreement": "财务王芳 电话同意改开红字发票"}, follow=True
    ).content.decode()
    assert "改按合规替代方案办理" in page
    case = Case.objects.get(pk=refused.pk)
    assert case.service.code == "invoice-correction"
    assert case.intake["alternative"]["agreement"] == "财务王芳 电话同意改开红字发票"
    event = AuditEvent.objects.filter(case=case, kind="case.alternative_adopted").get()
    assert event.payload["from_service"] == "invoice-title-change"
    assert event.payload["service"] == "invoice-correction"
    # Now the case goes on as the alternative, and is in the priority queue.
    case_transition(actor=world.zhang, case=case, to="quoted", now=clock.now())
    assert Case.objects.get(pk=case.pk).state == "quoted"
    assert case.reference in client.get(reverse("triage_queue")).content.decode()
    triage = client.get(reverse("case_panel", args=[case.pk, "triage"])).content.decode()
    assert "已改办合规替代方案" in triage and "财务王芳" in triage


def test_only_a_refused_triaged_case_converts_and_only_once(world, refused):
    with pytest.raises(NotAllowed):
        case_adopt_alternative(actor=world.li, case=refused, agreement="同意", now=clock.now())
    case_adopt_alternative(actor=world.zhang, case=refused, agreement="邮件同意", now=clock.now())
    with pytest.raises(ValidationFailed, match="无需重复记录"):
        case_adopt_alternative(
            actor=world.zhang, case=refused, agreement="邮件同意", now=clock.now()
        )
    other = new_case(world, deadline=far())
    with pytest.raises(ValidationFailed, match="只有因合规红线"):
        case_adopt_alternative(actor=world.zhang, case=other, agreement="同意", now=clock.now())
