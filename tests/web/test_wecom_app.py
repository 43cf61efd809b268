"""企业微信 application messages: every hand-off, incident and escalation, and the morning
digest, reach the right person's 企业微信 as a text card that opens the place to act — through
the outbox, against a stand-in that speaks the documented API (gettoken, message/send)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from expedite.accounts.models import StaffContact
from expedite.desk.digest import digest_create
from expedite.domain.calendar import SHANGHAI
from expedite.monitoring.incidents import incident_raise
from expedite.monitoring.watch import incidents_escalate
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage
from tests.standins.wecom import WecomApi
from tests.web import test_handoffs as handoffs
from tests.web.test_monitoring import running_case

pytestmark = pytest.mark.django_db
smtp = handoffs.smtp  # fixture

SITE = "https://expedite.firm.example"


@pytest.fixture
def wecom(settings, world):
    users = list(get_user_model().objects.all())
    api = WecomApi(users=[u.username for u in users]).start()
    settings.EXPEDITE_WECOM_CORP_ID = api.corp_id
    settings.EXPEDITE_WECOM_APP_SECRET = api.secret
    settings.EXPEDITE_WECOM_AGENT_ID = api.agent_id
    settings.EXPEDITE_WECOM_API_URL = api.url
    settings.EXPEDITE_WECOM_TIMEOUT_SECONDS = 1
    settings.EXPEDITE_PUBLIC_URL = SITE
    for user in users:
        StaffContact.objects.update_or_create(user=user, defaults={"wecom_userid": user.username})
    cache.clear()  # no token from another test's stand-in
    yield api
    api.stop()
    cache.clear()


def send_all() -> dict:
    due = OutboxMessage.objects.order_by("-next_attempt_at").first().next_attempt_at
    return deliver_due(now=due + dt.timedelta(seconds=1), worker="test", batch=1000)


def assert_each_reached_its_person(wecom: WecomApi, prefix: str) -> int:
    """Every in-app message whose key starts with `prefix` has its card on the recipient's
    企业微信, opening the same place; returns how many."""
    send_all()
    rows = list(OutboxMessage.objects.filter(channel="inapp", key__startswith=prefix))
    assert rows, f"no {prefix} messages"
    for row in rows:
        cards = [c for c in wecom.to(row.user.username) if c.url == SITE + (row.link or "/board/")]
        assert cards, f"{row.key}: no card for {row.user.username}"
        assert any(c.title == row.subject for c in cards)
        card = OutboxMessage.objects.get(key=row.key.removesuffix(":inapp") + ":wecom_app")
        assert card.status == "sent" and card.provider_ref and card.recipient == row.user.username
    return len(rows)


HANDOFF_SCENARIOS = [
    handoffs.test_a_passed_self_check_tells_the_supervisor_not_the_handler,
    handoffs.test_a_failed_review_goes_back_to_the_handler_with_what_was_wrong,
    handoffs.test_a_passed_review_tells_the_liaison_to_deliver,
    handoffs.test_an_approval_request_reaches_the_approver_and_the_decision_the_requester,
    handoffs.test_the_team_proposed_on_acceptance_waits_for_the_manager,
]


@pytest.mark.parametrize("scenario", HANDOFF_SCENARIOS, ids=lambda f: f.__name__[5:45])
def test_each_hand_off_reaches_the_persons_wecom(world, wecom, scenario):
    scenario(world)
    assert assert_each_reached_its_person(wecom, "handoff:") >= 1
    # Nobody else got a card about it: one card per in-app hand-off.
    assert (
        len(wecom.messages)
        == OutboxMessage.objects.filter(channel="wecom_app", key__startswith="handoff:").count()
    )


def test_a_handover_reaches_the_receivers_wecom(world, wecom, smtp):
    handoffs.test_a_handover_waits_for_the_receiver_who_hears_of_it(world, smtp)
    assert assert_each_reached_its_person(wecom, "handoff:") >= 1


def test_the_morning_digest_is_a_card_that_opens_the_board(world, wecom):
    now = timezone.now()
    assert digest_create(world.zhang, now=now)
    send_all()
    [card] = wecom.to(world.zhang.username)
    assert card.url == f"{SITE}/board/" and card.msgtype == "textcard"
    assert card.title == OutboxMessage.objects.get(user=world.zhang, channel="inapp").subject


def test_an_expired_token_is_fetched_again_and_the_card_still_goes(world, wecom):
    digest_create(world.zhang, now=timezone.now())
    send_all()
    assert wecom.token_requests == 1
    wecom.expire_tokens()
    digest_create(world.zhao, now=timezone.now())
    send_all()
    assert wecom.token_requests == 2 and len(wecom.to(world.zhao.username)) == 1


def test_a_busy_wecom_is_retried_and_an_unknown_member_held_for_a_person(world, wecom):
    wecom.fail_next(45009, "api freq out of limit")
    digest_create(world.zhang, now=timezone.now())
    assert send_all()["failed"] == 1
    row = OutboxMessage.objects.get(channel="wecom_app")
    assert row.status == "pending" and "45009" in row.last_error
    assert send_all()["sent"] == 1 and len(wecom.to(world.zhang.username)) == 1
    # A member 企业微信 does not know: no retry can help.
    StaffContact.objects.filter(user=world.zhao).update(wecom_userid="left-the-firm")
    digest_create(world.zhao, now=timezone.now())
    assert send_all()["held"] == 1
    held = OutboxMessage.objects.get(channel="wecom_app", user=world.zhao)
    assert held.status == "held" and "81013" in held.last_error


def test_a_timeout_is_retried_and_wecom_drops_the_repeat(world, wecom):
    wecom.hang_next(1.5)
    digest_create(world.zhang, now=timezone.now())
    assert send_all()["failed"] == 1  # no answer within the second
    assert send_all()["sent"] == 1
    # The first request did arrive; the retry is the same card, which 企业微信 drops.
    assert len(wecom.to(world.zhang.username)) == 1


def test_staff_without_an_account_get_no_card(world, wecom):
    StaffContact.objects.filter(user=world.zhang).update(wecom_userid="")
    digest_create(world.zhang, now=timezone.now())
    send_all()
    assert not wecom.messages
    assert not OutboxMessage.objects.filter(channel="wecom_app").exists()


def test_an_incident_and_its_escalations_reach_each_persons_wecom(world, wecom):
    case = running_case(world)
    raised = dt.datetime(2026, 11, 26, 17, 30, tzinfo=SHANGHAI)
    incident = incident_raise(
        actor=world.li, case=case, kind="system_outage", description="一网通办维护", now=raised
    )
    assert incidents_escalate(now=incident.response_due + dt.timedelta(seconds=59)) == 1
    assert incidents_escalate(now=incident.managers_at + dt.timedelta(seconds=59)) == 1
    send_all()
    cards = OutboxMessage.objects.filter(channel="wecom_app", key__startswith="incident:")
    told = {row.recipient for row in cards}
    # The liaison at once; the supervisor at the first level, the manager at the second.
    assert {world.zhang.username, world.zhao.username, world.chen.username} <= told
    for row in cards:
        assert row.status == "sent"
        assert any(c.title == row.subject for c in wecom.to(row.recipient))
    assert world.li.username not in told  # whoever raised it is not told of it
