"""The case lifecycle: allowed moves, refused moves named clearly, clocks that follow."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.cases.clocks import clocks_from_json
from expedite.cases.lifecycle import case_allowed, case_transition
from expedite.cases.models import Case
from expedite.cases.triage import TriageInput, case_triage
from expedite.delivery.services import result_file_add
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.sla import ClockState
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import new_case
from tests.web.delivery_helpers import client_confirms, result_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def triaged(world):
    deadline = timezone.localdate() + dt.timedelta(days=40)
    case = new_case(
        world, client=world.acme, service="business-change", deadline=deadline, reason="签约"
    )
    return case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(deadline=deadline, written_notice=True, facts={"resolution_signed": True}),
        now=timezone.now(),
    )


def move(world, case, to, reason="", at=None):
    return case_transition(
        actor=world.zhang, case=case, to=to, reason=reason, now=at or timezone.now()
    )


def test_the_happy_path_from_triage_to_closed_leaves_one_event_per_step(world, triaged):
    case = triaged
    for state in (
        "quoted",
        "accepted",
        "materials",
        "in_progress",
        "review",
        "delivered",
        "confirmed",
        "closed",
    ):
        if state == "delivered":  # only after the double review of the result (docs/review.md)
            result_file_add(
                actor=world.zhang,
                case=case,
                name="执照.pdf",
                content=result_pdf(),
                now=timezone.now(),
            )
            pass_review(world, case)
        if state == "confirmed":  # only the client confirms, with a code (docs/delivery.md)
            client_confirms(case)
            case = Case.objects.get(pk=case.pk)
        else:
            case = move(world, case, state)
        assert case.state == state
    changes = AuditEvent.objects.filter(case=case, kind="case.state_changed").order_by("seq")
    assert [e.payload["to"] for e in changes] == [
        "quoted",
        "accepted",
        "materials",
        "in_progress",
        "review",
        "delivered",
        "confirmed",
        "closed",
    ]
    clocks = clocks_from_json(case.clocks)
    assert clocks.firm.state == ClockState.STOPPED


def pass_review(world, case):
    from expedite.reviews.selectors import review_checklist
    from expedite.reviews.services import self_check, supervisor_review

    results = [{"item": i, "ok": True} for i in review_checklist(case)]
    self_check(actor=world.li, case=case, results=results, now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=results, now=timezone.now())


def test_an_illegal_move_names_the_current_state_and_the_allowed_ones(world, triaged):
    with pytest.raises(ValidationFailed) as info:
        move(world, triaged, "delivered")
    assert (
        info.value.message
        == "加急单当前为“已研判”，不能改为“已交付”；可以改为：已报价、已婉拒、已取消。"
    )
    assert Case.objects.get(pk=triaged.pk).state == "triaged"


def test_cancelling_needs_a_reason(world, triaged):
    with pytest.raises(ValidationFailed, match="请填写原因"):
        move(world, triaged, "cancelled")
    assert move(world, triaged, "cancelled", reason="客户改期").state == "cancelled"
    assert case_allowed(Case.objects.get(pk=triaged.pk)) == []


def test_waiting_on_the_client_pauses_the_firm_and_runs_the_client_clock(world, triaged):
    # The next working day from 09:00 (a Monday may fall in the Spring Festival break).
    day = firm_calendar().next_workday(timezone.localdate())
    t0 = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI)
    case = move(world, triaged, "quoted", at=t0)
    case = move(world, case, "accepted", at=t0)
    case = move(world, case, "in_progress", at=t0)
    case = move(world, case, "on_hold", reason="等客户补股东会决议", at=t0 + dt.timedelta(hours=1))
    assert case_allowed(case) == ["in_progress", "cancelled"]  # back where it was, or cancelled
    clocks = clocks_from_json(case.clocks)
    assert clocks.firm.state == ClockState.PAUSED and clocks.client_wait.state == ClockState.RUNNING
    case = move(world, case, "in_progress", at=t0 + dt.timedelta(hours=3))
    clocks = clocks_from_json(case.clocks)
    assert clocks.firm.state == ClockState.RUNNING
    waited = clocks.client_wait.elapsed(t0 + dt.timedelta(hours=5))
    assert waited == dt.timedelta(hours=2)  # 10:00–12:00


def test_the_risk_reviewer_cannot_move_cases(world, triaged):
    with pytest.raises(NotAllowed):
        case_transition(actor=world.wang, case=triaged, to="quoted", now=timezone.now())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need a server")
def test_two_concurrent_moves_cannot_both_succeed(world, triaged):
    from django.db import connections

    results = []

    def attempt(to):
        try:
            case_transition(
                actor=world.zhang, case=triaged, to=to, reason="并发", now=timezone.now()
            )
            results.append(to)
        except ValidationFailed:
            results.append("refused")
        finally:
            connections.close_all()

    # Both see "triaged" and ask for "quoted": the second must find it already moved.
    threads = [threading.Thread(target=attempt, args=(to,)) for to in ("quoted", "quoted")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count("refused") == 1
    assert AuditEvent.objects.filter(case=triaged, kind="case.state_changed").count() == 1


def test_the_page_and_the_api(client, world, triaged):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[triaged.pk])).content.decode()
    assert 'name="to"' in html and "已报价" in html
    client.post(reverse("case_move", args=[triaged.pk]), {"to": "quoted"})
    assert Case.objects.get(pk=triaged.pk).state == "quoted"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhang, name='t')[1]}"}
    body = client.get(f"/api/v1/cases/{triaged.pk}/transitions", **auth).json()
    assert body == {"state": "quoted", "allowed": ["accepted", "declined", "cancelled"]}
    response = client.post(
        f"/api/v1/cases/{triaged.pk}/transitions",
        {"to": "closed"},
        content_type="application/json",
        **auth,
    )
    assert (
        response.status_code == 422
        and "不能改为“已关闭”" in response.json()["detail"][0]["message"]
    )
    response = client.post(
        f"/api/v1/cases/{triaged.pk}/transitions",
        {"to": "accepted"},
        content_type="application/json",
        **auth,
    )
    assert response.json()["state"] == "accepted"


def test_staff_are_not_offered_the_confirmation_only_the_client_makes(client, world):
    from tests.web.delivery_helpers import delivered_case

    case = delivered_case(world)
    assert "confirmed" in case_allowed(case)  # the lifecycle allows it, for the client
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    menu = html.split('name="to"', 1)[1].split("</select>", 1)[0]
    assert 'value="in_progress"' in menu and 'value="confirmed"' not in menu
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhang, name='t')[1]}"}
    body = client.get(f"/api/v1/cases/{case.pk}/transitions", **auth).json()
    assert body == {"state": "delivered", "allowed": ["in_progress"]}
    # A refused move names only what staff could choose instead.
    with pytest.raises(ValidationFailed) as info:
        move(world, case, "closed")
    assert info.value.message == "加急单当前为“已交付”，不能改为“已关闭”；可以改为：办理中。"
