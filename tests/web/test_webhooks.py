"""Outbound webhooks to a receiver on loopback that checks each signature with the function
docs/integration.md prints: each subscribed event once, retried with backoff when the receiver
is down, held when it refuses, nothing after the endpoint is disabled."""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.cases.lifecycle import case_transition
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.roles import Role
from expedite.monitoring.incidents import incident_raise
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from expedite.notify.webhook_services import webhook_save, webhook_secret_renew, webhook_test
from expedite.notify.webhooks import attempt_outcome, signature
from tests.conftest import PASSWORD
from tests.factories import new_case, triaged
from tests.standins.webhook_receiver import WebhookReceiver, documented_verify
from tests.web.delivery_helpers import add_result, case_in_review, client_confirms, pass_review

pytestmark = pytest.mark.django_db

ALL = [
    "case.created",
    "case.state_changed",
    "case.triaged",
    "case.delivered",
    "case.confirmed",
    "incident.raised",
]


@pytest.fixture
def admin(make_user):
    return make_user("admin1", Role.ADMIN)


@pytest.fixture
def receiver():
    with WebhookReceiver() as r:
        yield r


def endpoint_for(admin, receiver, events=ALL, name="财务系统"):
    endpoint = webhook_save(actor=admin, name=name, url=receiver.url, events=events)
    receiver.secret = endpoint.secret
    return endpoint


def deliver(now=None):
    return deliver_due(now=now or timezone.now(), worker="test")


def bodies(receiver):
    return [json.loads(r.body) for r in receiver.received]


def test_subscribed_events_arrive_once_signed_and_others_not(world, admin, receiver):
    endpoint_for(admin, receiver, events=["case.created", "case.triaged"])
    case = new_case(world)
    triaged(world, case, facts={"resolution_signed": True})
    assert deliver()["sent"] == 2
    assert deliver()["sent"] == 0  # each once
    got = bodies(receiver)
    assert [b["event"] for b in got] == ["case.created", "case.triaged"]
    assert all(r.verified for r in receiver.received)
    first = got[0]
    assert first["case"]["reference"] == case.reference
    assert first["case"]["url"].endswith(f"/cases/{case.pk}/")
    assert first["occurred_at"].endswith("+08:00")
    assert "13816220001" not in receiver.received[0].body.decode()  # no contact details
    headers = receiver.received[0].headers
    assert headers["x-expedite-event"] == "case.created"
    assert headers["x-expedite-delivery"].startswith("hook:")


def test_delivery_confirmation_and_an_incident_arrive_from_the_real_actions(world, admin, receiver):
    endpoint_for(
        admin,
        receiver,
        events=["case.state_changed", "case.delivered", "case.confirmed", "incident.raised"],
    )
    case = case_in_review(world)
    incident_raise(
        actor=world.li,
        case=case,
        kind="system_outage",
        description="网报系统宕机，吴刚的电话打不通",
        impact_hours="2",
        now=timezone.now(),
    )
    deliver()
    (incident,) = [b for b in bodies(receiver) if b["event"] == "incident.raised"]
    assert incident["data"] == {"incident_kind": "system_outage", "impact_hours": "2.0"}
    assert incident["case"]["reference"] == case.reference
    assert "吴刚" not in json.dumps(incident, ensure_ascii=False)  # staff's words stay home
    receiver.received.clear()
    add_result(world, case)
    pass_review(world, case)
    case = case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())
    client_confirms(case)
    deliver()
    got = bodies(receiver)
    assert [b["event"] for b in got] == [
        "case.state_changed",
        "case.delivered",
        "case.state_changed",
        "case.confirmed",
    ]
    assert got[0]["data"] == {"from": "review", "to": "delivered"}
    assert [b["case"]["state"] for b in got] == ["delivered", "delivered", "confirmed", "confirmed"]
    assert got[0]["id"] == got[1]["id"]  # one audit event, two subscriptions
    assert len({r.headers["x-expedite-delivery"] for r in receiver.received}) == 4
    assert all(r.verified for r in receiver.received)


def test_a_receiver_that_is_down_gets_it_later_once_with_the_same_delivery_id(
    world, admin, receiver
):
    endpoint = endpoint_for(admin, receiver, events=["case.created"])
    receiver.answers.extend([503, 500])
    new_case(world)
    at = timezone.now()
    assert deliver(at)["failed"] == 1
    row = OutboxMessage.objects.get(channel="webhook")
    assert row.next_attempt_at - at == dt.timedelta(minutes=1)
    assert deliver(at + dt.timedelta(seconds=30))["failed"] == 0  # not before its time
    assert deliver(row.next_attempt_at)["failed"] == 1
    row.refresh_from_db()
    assert deliver(row.next_attempt_at)["sent"] == 1
    assert [r.answered for r in receiver.received] == [503, 500, 200]
    assert len({r.headers["x-expedite-delivery"] for r in receiver.received}) == 1
    attempts = WebhookAttempt.objects.filter(endpoint=endpoint).order_by("at", "pk")
    assert [a.status_code for a in attempts] == [503, 500, 200]


def test_a_refusal_is_held_for_a_person(world, admin, receiver):
    endpoint_for(admin, receiver, events=["case.created"])
    receiver.answers.append(400)
    new_case(world)
    assert deliver()["held"] == 1
    assert OutboxMessage.objects.get(channel="webhook").status == "held"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_held_not_followed(world, admin, receiver, status):
    """Following would resend the event unsigned as a GET, perhaps to another host."""
    endpoint_for(admin, receiver, events=["case.created"])
    receiver.answers.append(status)
    new_case(world)
    assert deliver()["held"] == 1
    assert receiver.gets == [] and len(receiver.received) == 1
    assert WebhookAttempt.objects.get().status_code == status


def test_a_receiver_that_cannot_be_reached_is_retried(world, admin):
    with WebhookReceiver() as gone:
        url = gone.url
    webhook_save(actor=admin, name="已关闭", url=url, events=["case.created"])
    new_case(world)
    assert deliver()["failed"] == 1
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error.startswith("refused:")
    assert attempt_outcome(attempt) == "对方拒绝连接"


def test_a_disabled_endpoint_stops_receiving(world, admin, receiver):
    endpoint = endpoint_for(admin, receiver, events=["case.created"])
    new_case(world)
    webhook_save(
        actor=admin,
        name=endpoint.name,
        url=endpoint.url,
        events=endpoint.events,
        active=False,
        endpoint=endpoint,
    )
    new_case(world, client=world.hengxin)
    assert deliver()["dropped"] == 1
    assert receiver.received == []
    assert OutboxMessage.objects.filter(channel="webhook").count() == 1


def test_a_rolled_back_action_sends_nothing(world, admin, receiver):
    endpoint_for(admin, receiver, events=["case.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        new_case(world)
        raise RuntimeError("the action failed after its audit event")
    assert not OutboxMessage.objects.filter(channel="webhook").exists()


def test_a_renewed_secret_signs_what_is_sent_after_it(world, admin, receiver):
    endpoint = endpoint_for(admin, receiver, events=["case.created"])
    renewed = webhook_secret_renew(actor=admin, endpoint=endpoint)
    assert renewed.secret != endpoint.secret
    new_case(world)
    deliver()
    assert receiver.received[0].answered == 401  # the receiver still holds the old secret
    receiver.secret = renewed.secret
    webhook_test(actor=admin, endpoint=renewed)
    deliver()
    assert receiver.received[-1].verified
    assert json.loads(receiver.received[-1].body)["event"] == "test"
    kinds = list(AuditEvent.objects.order_by("seq").values_list("kind", flat=True))
    assert kinds[-1] == "webhook.tested" and "webhook.secret_renewed" in kinds


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "javascript:alert(1)",
        "http://user:pw@example.com/",
        "http:///nohost",
        "http://exa mple.com/",
        "http://example.com/" + "a" * 600,
        "http://example.com/\x00",
    ],
)
def test_hostile_addresses_are_refused(world, admin, url):
    with pytest.raises(ValidationFailed):
        webhook_save(actor=admin, name="x", url=url, events=["case.created"])


def test_only_administrators_manage_endpoints(world, receiver):
    with pytest.raises(NotAllowed):
        webhook_save(actor=world.chen, name="x", url=receiver.url, events=["case.created"])


def test_the_documented_check_refuses_tampering_and_replays():
    verify = documented_verify()
    body, secret, now = b'{"id":"evt_1"}', "s3cret", 1_800_000_000
    good = signature(secret, str(now), body)
    assert verify(secret, str(now), good, body, now=now)
    assert not verify(secret, str(now), good, body + b" ", now=now)
    assert not verify("other", str(now), good, body, now=now)
    assert not verify(secret, str(now), good, body, now=now + 301)
    assert not verify(secret, "not-a-number", good, body, now=now)


def test_the_pages_show_endpoints_and_each_attempt(client, world, admin, receiver):
    client.login(username="admin1", password=PASSWORD)
    response = client.post(
        reverse("webhook_list"),
        {"name": "CRM", "url": receiver.url, "events": ["case.created"], "active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get(name="CRM")
    assert response.url == reverse("webhook_detail", args=[endpoint.pk])
    receiver.secret = endpoint.secret
    receiver.answers.append(502)
    client.post(reverse("webhook_test", args=[endpoint.pk]))
    deliver()
    page = client.get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    assert "HTTP 502" in page
    assert endpoint.secret in page
    client.logout()
    client.login(username="chen", password=PASSWORD)
    assert client.get(reverse("webhook_list")).status_code == 403
