"""Staff record the option the client chose among those quoted; the case runs, is charged and
shows on the client's page as that option."""

import pytest
from django.urls import reverse

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case
from expedite.cases.plans import next_working_start
from expedite.cases.triage import TriageInput, case_triage
from expedite.portal import links
from expedite.work.models import StepRun
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import moved, new_case

pytestmark = pytest.mark.django_db

PRECONDITIONS = (
    "department-precoordinated",
    "esign-accepted",
    "green-channel",
    "online-both-offices",
    "remote-collaboration",
    "tolerant-acceptance-agreed",
)


@pytest.fixture
def impatient(world):
    """假急: the standard plan is recommended, the paid expedited one is on offer."""
    # Four working days from when work can start: the standard plan (5) misses it.
    soon = firm_calendar().add_workdays(next_working_start(clock.now()).date(), 3)
    case = new_case(world, service="labor-dispatch-license", deadline=soon, reason="早点办")
    return case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(
            deadline=soon,
            written_notice=False,
            consequence="comfort_only",
            facts={"business_license_valid": True, "registered_capital": 3000000},
            preconditions=PRECONDITIONS,
        ),
        now=clock.now(),
    )


def _state(case):
    case = Case.objects.get(pk=case.pk)
    return case.triage["recommended_option"]["key"], AuditEvent.objects.filter(case=case).count()


def test_the_client_pays_to_expedite_after_all_and_the_case_runs_so(client, world, impatient):
    assert impatient.verdict == "false_urgency"
    client.login(username="zhang", password=PASSWORD)
    panel = client.get(reverse("case_panel", args=[impatient.pk, "plan"])).content.decode()
    assert reverse("case_choose", args=[impatient.pk]) in panel and "记录客户的选择" in panel
    page = client.post(
        reverse("case_choose", args=[impatient.pk]), {"option": "recommended"}, follow=True
    ).content.decode()
    assert "已记录客户选择的方案" in page
    case = Case.objects.get(pk=impatient.pk)
    chosen = case.triage["recommended_option"]
    assert chosen["key"] == "recommended" and chosen["levers"]
    assert case.triage["client_choice"]["fee_total"] == chosen["fee"]["total"]
    event = AuditEvent.objects.get(case=case, kind="case.option_chosen")
    assert event.payload["previous"] == "standard" and event.payload["key"] == "recommended"
    # Accepted, the plan laid out is the chosen one.
    moved(world, case, "quoted", "accepted")
    laid_out = set(StepRun.objects.filter(case=case).values_list("code", flat=True))
    assert laid_out == {s["code"] for s in chosen["steps"]}
    # The client's page names the chosen option and its fee.
    portal = client.get(links.portal_path(case)).content.decode()
    assert "您选择的方案" in portal and f"¥{chosen['fee']['total']}" in portal


def test_a_choice_outside_the_quote_or_after_acceptance_is_refused(client, world, impatient):
    client.login(username="zhang", password=PASSWORD)
    url = reverse("case_choose", args=[impatient.pk])
    before = _state(impatient)
    page = client.post(url, {"option": "cheapest\x00"}, follow=True).content.decode()
    assert "客户选择的方案" in page and _state(impatient) == before
    moved(world, impatient, "quoted", "accepted")
    before = _state(impatient)
    page = client.post(url, {"option": "fastest"}, follow=True).content.decode()
    assert "客户接受方案前才能改选方案" in page and _state(impatient) == before


def test_a_risk_reviewer_may_not_record_the_choice(client, world, impatient):
    client.login(username="wang", password=PASSWORD)
    before = _state(impatient)
    response = client.post(reverse("case_choose", args=[impatient.pk]), {"option": "fastest"})
    assert response.status_code == 403 and _state(impatient) == before
