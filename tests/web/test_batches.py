"""Batches (批量申请) as services: one request for several companies is opened and triaged
case by case through the ordinary intake, all or nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.batches.models import Batch, BatchCase
from expedite.batches.services import BatchCompany, CompanyRefused, batch_create, batch_triage
from expedite.cases.models import Case
from expedite.cases.triage import TriageInput, case_triage
from expedite.domain.errors import NotAllowed, ValidationFailed
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

UNFILED = {"returns_filed": False, "unpaid_taxes": False}
REASON = "季度末 3 家子公司同步注销"


@pytest.fixture
def jiancai(world):
    return ClientFactory(actor=world.zhang, name="苏州恒信建材有限公司")


def answers(deadline: dt.date, **facts) -> TriageInput:
    return TriageInput(deadline=deadline, written_notice=False, facts={**UNFILED, **facts})


def deadline(days: int = 40) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def open_batch(world, companies, *, actor=None, service="tax-deregistration", triage=None):
    return batch_create(
        actor=actor or world.zhang,
        companies=[c if isinstance(c, BatchCompany) else BatchCompany(c.pk) for c in companies],
        requester_contact_id=world.hengxin.contacts.first().pk,
        service_code=service,
        requested_deadline=deadline(),
        reason=REASON,
        now=clock.now(),
        triage=triage,
    )


def written():
    return Batch.objects.count(), Case.objects.count(), AuditEvent.objects.count()


def test_a_batch_opens_one_case_per_company_linked_in_the_order_given(world, jiancai):
    batch = open_batch(world, [world.hengxin, jiancai, world.acme])
    assert batch.reference == f"PL-{timezone.localdate():%Y}-{batch.pk:05d}"
    links = list(BatchCase.objects.filter(batch=batch).select_related("case__client"))
    assert [link.case.client for link in links] == [world.hengxin, jiancai, world.acme]
    for link in links:
        case = link.case
        assert case.state == "draft" and case.reason == REASON
        assert case.service.code == "tax-deregistration"
        assert case.requested_deadline == batch.requested_deadline
        assert AuditEvent.objects.filter(case=case, kind="case.created").count() == 1
    event = AuditEvent.objects.get(kind="batch.created")
    assert event.payload["reference"] == batch.reference
    assert [c["case_id"] for c in event.payload["cases"]] == [link.case_id for link in links]
    assert event.payload["requester"]["name"] == "吴刚"


def test_a_batch_with_answers_triages_every_company_as_its_own_case(world, jiancai):
    """All three have unfiled returns: each is blocked with the compliant path (file, then
    deregister) as its plan, and each case records its own triage."""
    batch = open_batch(world, [world.hengxin, jiancai], triage=answers(deadline()))
    cases = [m.case for m in batch.members.select_related("case")]
    for case in cases:
        assert case.state == "triaged" and case.verdict == "blocked"
        assert case.triage["recommended_option"]["working_days"] == 8
        assert AuditEvent.objects.filter(case=case, kind="case.triaged").count() == 1
    event = AuditEvent.objects.get(kind="batch.created")
    assert set(event.payload["verdicts"].values()) == {"blocked"}


def test_a_companys_own_facts_are_laid_over_the_shared_answers(world, jiancai):
    batch = open_batch(
        world,
        [BatchCompany(world.hengxin.pk), BatchCompany(jiancai.pk, facts={"unpaid_taxes": True})],
        triage=answers(deadline()),
    )
    owes = batch.members.get(case__client=jiancai).case
    fired = {r["code"] for r in owes.triage["fired_rules"]}
    assert "deregistration-requires-taxes-paid" in fired
    other = batch.members.get(case__client=world.hengxin).case
    assert "deregistration-requires-taxes-paid" not in {
        r["code"] for r in other.triage["fired_rules"]
    }


def test_an_unregistered_company_refuses_the_whole_batch_and_nothing_is_written(world, jiancai):
    before = written()
    missing = type("Gone", (), {"pk": 999_999})()
    with pytest.raises(ValidationFailed, match="第 3 家公司不是已登记的客户") as caught:
        open_batch(world, [world.hengxin, jiancai, missing])
    assert caught.value.field == "companies"
    assert written() == before


def test_a_company_its_triage_refuses_refuses_the_batch_naming_it_and_keeps_nothing(world, jiancai):
    """The first two companies were opened and triaged before the third was refused; the
    batch, their cases and every event are rolled back with it."""
    before = written()
    companies = [
        BatchCompany(world.hengxin.pk),
        BatchCompany(world.acme.pk),
        BatchCompany(jiancai.pk, facts={"no_such_question": True}),
    ]
    with pytest.raises(CompanyRefused) as caught:
        open_batch(world, companies, triage=answers(deadline()))
    message = str(caught.value)
    assert "苏州恒信建材有限公司" in message and "no_such_question" in message
    assert "整批未保存" in message
    assert written() == before


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (lambda w, j: [w.hengxin], "至少要选 2 家公司"),
        (lambda w, j: [w.hengxin, j, w.hengxin], "第 3 家公司与前面的重复"),
    ],
)
def test_a_batch_of_one_or_with_a_company_twice_is_refused(world, jiancai, pick, message):
    before = written()
    with pytest.raises(ValidationFailed, match=message):
        open_batch(world, pick(world, jiancai))
    assert written() == before


def test_a_batch_needs_a_registered_contact_as_its_requester(world, jiancai):
    before = written()
    with pytest.raises(ValidationFailed, match="请选择委托人") as caught:
        batch_create(
            actor=world.zhang,
            companies=[BatchCompany(world.hengxin.pk), BatchCompany(jiancai.pk)],
            requester_contact_id=999_999,
            service_code="tax-deregistration",
            requested_deadline=deadline(),
            reason=REASON,
            now=clock.now(),
        )
    assert caught.value.field == "requester"
    assert written() == before


def test_company_facts_without_the_shared_answers_are_refused_not_dropped(world, jiancai):
    with pytest.raises(ValidationFailed, match="按公司填写的事实只在同时研判时使用"):
        open_batch(world, [BatchCompany(world.hengxin.pk, facts={"unpaid_taxes": True}), jiancai])
    assert not Case.objects.exists()


def test_only_those_who_open_cases_may_open_a_batch(world, jiancai):
    with pytest.raises(NotAllowed):
        open_batch(world, [world.hengxin, jiancai], actor=world.li)
    assert not Batch.objects.exists() and not Case.objects.exists()


def test_triaging_a_batch_decides_each_case_not_yet_quoted_and_confirms_the_deadline(
    world, jiancai
):
    batch = open_batch(world, [world.hengxin, jiancai, world.acme])
    confirmed = deadline(30)
    decided = batch_triage(actor=world.zhang, batch=batch, data=answers(confirmed), now=clock.now())
    assert len(decided) == 3
    for case in Case.objects.all():
        assert case.verdict == "blocked" and case.requested_deadline == confirmed
    batch.refresh_from_db()
    assert batch.requested_deadline == confirmed
    event = AuditEvent.objects.get(kind="batch.triaged")
    assert event.payload["requested_deadline"] == confirmed.isoformat()
    assert len(event.payload["verdicts"]) == 3


def test_a_batch_triage_one_company_refuses_changes_no_company(world, jiancai):
    """One invoice was refused on a red line (only a manager may triage it again): the
    liaison's batch triage is refused naming that company, and the other stays a draft."""
    batch = open_batch(world, [world.hengxin, jiancai], service="invoice-title-change")
    refused = batch.members.get(case__client=jiancai).case
    case_triage(
        actor=world.zhang,
        case=refused,
        data=TriageInput(deadline=deadline(), written_notice=True, facts={"cross_month": True}),
        now=clock.now(),
    )
    assert Case.objects.get(pk=refused.pk).verdict == "refused"
    before = AuditEvent.objects.count()
    with pytest.raises(NotAllowed, match="苏州恒信建材有限公司"):
        batch_triage(
            actor=world.zhang,
            batch=batch,
            data=TriageInput(
                deadline=deadline(),
                written_notice=True,
                facts={"cross_month": False, "paper_invoice": False},
            ),
            now=clock.now(),
        )
    assert batch.members.get(case__client=world.hengxin).case.state == "draft"
    assert AuditEvent.objects.count() == before
