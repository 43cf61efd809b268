"""The batch's pages: its one plan (each company, the batch's finish, the bottleneck),
the intake of several companies, and who may see what."""

import datetime as dt
from dataclasses import replace

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.batches import selectors
from expedite.batches.models import Batch
from expedite.batches.services import BatchCompany, batch_create
from expedite.cases.models import Case
from expedite.cases.triage import case_triage
from expedite.work.models import StepRun
from expedite.workdays.selectors import firm_calendar
from tests.factories import ClientFactory, moved, new_case
from tests.web.test_batches import REASON, UNFILED, answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies(world):
    jiancai = ClientFactory(actor=world.zhang, name="苏州恒信建材有限公司")
    wuye = ClientFactory(actor=world.zhang, name="苏州恒信物业管理有限公司")
    return [world.hengxin, jiancai, wuye]


@pytest.fixture
def batch(world, companies):
    """The seed's three deregistrations, due in 10 working days; the property company's books
    arrive two working days late, which makes it the bottleneck."""
    cal = firm_calendar()
    due = cal.add_workdays(timezone.localdate(), 12)
    shared = answers(due)
    made = batch_create(
        actor=world.zhang,
        companies=[BatchCompany(c.pk) for c in companies],
        requester_contact_id=world.hengxin.contacts.first().pk,
        service_code="tax-deregistration",
        requested_deadline=due,
        reason=REASON,
        now=clock.now(),
        triage=shared,
    )
    slow = made.members.get(case__client=companies[2]).case
    late = cal.add_workdays(timezone.localdate(), 2)
    case_triage(
        actor=world.zhang,
        case=slow,
        data=replace(shared, materials_complete=False, materials_expected=late),
        now=clock.now(),
    )
    return made


def test_the_batch_page_shows_each_company_the_batch_finish_and_its_bottleneck(
    client, world, batch, companies
):
    client.force_login(world.li)
    page = client.get(reverse("batch_detail", args=[batch.pk])).content.decode()
    plan = selectors.batch_plan(
        batch, cases=selectors.batch_cases(batch, user=world.li), now=clock.now()
    )
    slow = Case.objects.get(client=companies[2])
    assert plan.outlook.bottlenecks == (slow.pk,)
    assert plan.outlook.meets_deadline is True
    for company in companies:
        assert company.name in page
    for case in Case.objects.all():
        assert case.reference in page
    assert f"{plan.outlook.finish_date:%Y-%m-%d}" in page
    assert "能按期完成" in page and "瓶颈" in page
    bottleneck = page.split("瓶颈：", 1)[1].split("</p>", 1)[0]
    assert companies[2].name in bottleneck and companies[1].name not in bottleneck
    # One plan, one group of rows per company, on the chart the case page draws.
    assert page.count('class="gantt"') == 1
    for case in Case.objects.all():
        assert f"{case.client.name} · {case.reference}" in page


def test_the_batch_finish_is_the_latest_companys_and_late_days_are_said(
    client, world, batch, companies
):
    Batch.objects.filter(pk=batch.pk).update(requested_deadline=timezone.localdate())
    client.force_login(world.zhang)
    page = client.get(reverse("batch_detail", args=[batch.pk])).content.decode()
    assert "晚于截止日" in page and "能按期完成" not in page


def test_a_running_companys_progress_moves_the_batch_finish_and_its_bottleneck(
    world, batch, companies
):
    """Once a case runs, its finish is projected from its steps: a step that turns out five
    working days longer makes that company the one the batch waits for."""
    fast = moved(world, Case.objects.get(client=companies[0]), "quoted", "accepted")
    day = firm_calendar().hours.day_us
    StepRun.objects.filter(case=fast, code="review").update(duration_us=F("duration_us") + 5 * day)
    plan = selectors.batch_plan(
        batch, cases=selectors.batch_cases(batch, user=world.zhang), now=clock.now()
    )
    row = next(r for r in plan.rows if r.case.pk == fast.pk)
    assert row.projected_finish > row.planned_finish and row.finish == row.projected_finish
    assert plan.outlook.bottlenecks == (fast.pk,)
    assert plan.outlook.finish == row.projected_finish


def test_a_user_without_a_role_or_signed_out_cannot_see_a_batch(client, world, batch):
    url = reverse("batch_detail", args=[batch.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403
    assert client.get(reverse("batch_list")).status_code == 403


def test_the_batch_shows_only_the_cases_its_reader_may_see(
    client, world, batch, companies, monkeypatch
):
    """Whatever hides a case from a reader (the case list's rules) hides it on the batch page,
    and a batch with none of the reader's cases is not found."""
    hidden = Case.objects.get(client=companies[1])
    real = selectors.case_list

    def without_hidden(*, user, **kwargs):
        return real(user=user, **kwargs).exclude(pk=hidden.pk)

    monkeypatch.setattr(selectors, "case_list", without_hidden)
    client.force_login(world.zhang)
    page = client.get(reverse("batch_detail", args=[batch.pk])).content.decode()
    assert hidden.reference not in page and companies[1].name not in page
    assert Case.objects.get(client=companies[0]).reference in page

    monkeypatch.setattr(selectors, "case_list", lambda *, user, **kw: real(user=user).none())
    assert client.get(reverse("batch_detail", args=[batch.pk])).status_code == 404
    assert batch.reference not in client.get(reverse("batch_list")).content.decode()


def test_each_case_page_links_to_its_batch_and_its_sibling_cases(client, world, batch):
    cases = list(Case.objects.order_by("batch_link__position"))
    client.force_login(world.wang)
    page = client.get(reverse("case_detail", args=[cases[0].pk])).content.decode()
    assert reverse("batch_detail", args=[batch.pk]) in page
    for sibling in cases[1:]:
        assert reverse("case_detail", args=[sibling.pk]) in page
        assert sibling.client.name in page


def test_a_case_outside_any_batch_has_no_batch_panel(client, world):
    case = new_case(world)
    client.force_login(world.zhang)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="batch"' not in page and "所属批量申请" not in page


def intake_form(world, companies, **overrides):
    data = {
        "companies": [c.pk for c in companies],
        "requester": world.hengxin.contacts.first().pk,
        "service": "tax-deregistration",
        "requested_deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "reason": REASON,
    }
    data.update(overrides)
    return data


def test_a_liaison_opens_a_batch_on_the_intake_page_and_triages_it_at_once(
    client, world, companies
):
    client.force_login(world.zhang)
    assert client.get(reverse("batch_create")).status_code == 200
    response = client.post(reverse("batch_create"), intake_form(world, companies))
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("batch_detail", args=[batch.pk])
    assert Case.objects.filter(state="draft").count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "按常规流程估算" in page and "研判全部" in page

    due = (timezone.localdate() + dt.timedelta(days=25)).isoformat()
    triage = {
        "deadline": due,
        "written_notice": "no",
        "stage": "not_started",
        "materials_complete": "yes",
        "consequence": "comfort_only",
        **{f"fact_{k}": "yes" if v else "no" for k, v in UNFILED.items()},
    }
    response = client.post(reverse("batch_triage", args=[batch.pk]), triage)
    assert response.status_code == 302
    assert set(Case.objects.values_list("verdict", flat=True)) == {"blocked"}
    batch.refresh_from_db()
    assert batch.requested_deadline.isoformat() == due


def test_the_intake_page_refuses_a_single_company_and_creates_nothing(client, world, companies):
    client.force_login(world.zhang)
    events = AuditEvent.objects.count()
    response = client.post(reverse("batch_create"), intake_form(world, companies[:1]))
    assert response.status_code == 200
    assert "至少要选 2 家公司" in response.content.decode()
    assert not Batch.objects.exists() and not Case.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_process_specialist_may_read_batches_but_not_open_or_triage_one(
    client, world, batch, companies
):
    client.force_login(world.li)
    assert client.get(reverse("batch_list")).status_code == 200
    assert client.get(reverse("batch_create")).status_code == 403
    events = AuditEvent.objects.count()
    assert client.post(reverse("batch_create"), intake_form(world, companies)).status_code == 403
    assert client.post(reverse("batch_triage", args=[batch.pk]), {}).status_code == 403
    assert AuditEvent.objects.count() == events
