"""Every hand-off tells the person who must act next, at once, with a link to the place:
in the app and by e-mail; never to whoever just acted; never twice."""

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.approvals.services import approval_decide, approval_request
from expedite.cases.panels import panel_url
from expedite.custody import services as custody
from expedite.custody.models import CustodyItem
from expedite.notify.models import OutboxMessage
from expedite.reviews.selectors import review_checklist
from expedite.reviews.services import FindingInput, self_check, supervisor_review
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import case_along
from tests.web import custody_helpers
from tests.web.delivery_helpers import add_result, case_in_review

pytestmark = pytest.mark.django_db
smtp = custody_helpers.smtp  # fixture


def inbox(user, subject: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(user=user, channel="inapp", subject__contains=subject))


def mails(user, subject: str) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            recipient=user.email, channel="email", subject__contains=subject
        )
    )


def ok(case) -> list[dict]:
    return [{"item": i, "ok": True} for i in review_checklist(case)]


def test_a_passed_self_check_tells_the_supervisor_not_the_handler(world):
    world.zhao.email = "zhao@firm.example"
    world.zhao.save(update_fields=["email"])
    case = case_in_review(world)
    add_result(world, case)
    self_check(actor=world.li, case=case, results=ok(case), now=timezone.now())
    [message] = inbox(world.zhao, "待您复核")
    assert message.case == case and message.link == panel_url(case.pk, "reviews")
    assert "第 1 轮经办人自查" in message.body
    # By e-mail too, with the address of the place to act.
    [mail] = mails(world.zhao, "待您复核")
    assert mail.body.endswith(panel_url(case.pk, "reviews"))
    assert mail.body.split("\n")[-1].startswith("http")
    assert not inbox(world.li, "待您复核")  # the handler may not review it anyway


def test_a_failed_review_goes_back_to_the_handler_with_what_was_wrong(world):
    case = case_in_review(world)
    add_result(world, case)
    self_check(actor=world.li, case=case, results=ok(case), now=timezone.now())
    items = review_checklist(case)
    results = [{"item": i, "ok": i != items[0], "note": ""} for i in items]
    results[0]["note"] = "签字页缺失"
    supervisor_review(
        actor=world.zhao,
        case=case,
        results=results,
        findings=[FindingInput(item=items[0], description="签字页缺失", correction="补签")],
        now=timezone.now(),
    )
    [message] = inbox(world.li, "复核未通过")
    assert items[0] in message.body and message.link == panel_url(case.pk, "reviews")
    assert not inbox(world.zhao, "复核未通过")


def test_a_passed_review_tells_the_liaison_to_deliver(world):
    case = case_in_review(world)
    add_result(world, case, by=world.li)
    self_check(actor=world.li, case=case, results=ok(case), now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=ok(case), now=timezone.now())
    [message] = inbox(world.zhang, "可以交付")
    assert message.link == panel_url(case.pk, "delivery")


def test_an_approval_request_reaches_the_approver_and_the_decision_the_requester(world):
    case = case_along(world, facts={}, service="vat-credit-refund", reason="留抵退税")
    row = approval_request(
        actor=world.li,
        case=case,
        action="refund",
        amount=38000,
        justification="留抵退税 38,000 元",
        now=timezone.now(),
    )
    [message] = inbox(world.chen, "待您审批")  # 38,000 < 50,000: the department manager
    assert "38000" in message.body and message.link == panel_url(case.pk, "approvals")
    assert not inbox(world.liu, "待您审批") and not inbox(world.li, "待您审批")
    approval_decide(actor=world.chen, request=row, grant=True, reason="同意", now=timezone.now())
    [decided] = inbox(world.li, "审批已批准")
    assert "同意" in decided.body


def test_a_handover_waits_for_the_receiver_who_hears_of_it(world, smtp):
    case = case_in_review(world)  # 恒信's contact has an e-mail address for the code
    now = timezone.now()
    m = custody.check_in(
        actor=world.zhang,
        client=case.client,
        case=case,
        kind="company_seal",
        purpose="在变更申请书上盖章",
        expected_return=firm_calendar().add_workdays(timezone.localdate(), 5),
        now=now,
    )
    custody.confirm_by_client_code(
        client=case.client, movement_id=m.pk, code=smtp.last_code(), now=now
    )
    seal = CustodyItem.objects.get(pk=m.item_id)
    custody.transfer(actor=world.zhang, item=seal, to_user=world.li, purpose="去税务局", now=now)
    [message] = inbox(world.li, "待您确认交接")
    assert message.link == panel_url(case.pk, "custody")
    assert not inbox(world.zhang, "待您确认交接")


def test_the_team_proposed_on_acceptance_waits_for_the_manager(world):
    case = case_along(
        world,
        facts={"resolution_signed": True},
        reason="银行贷款需要营业执照",
        states=("quoted", "accepted"),
    )
    [message] = inbox(world.chen, "待您确认分工")
    assert message.link == panel_url(case.pk, "work") and "流程推进专员" in message.body


def test_each_hand_off_is_sent_once_and_opens_the_place_to_act(client, world):
    case = case_in_review(world)
    add_result(world, case)
    self_check(actor=world.li, case=case, results=ok(case), now=timezone.now())
    count = OutboxMessage.objects.count()
    from expedite.notify.handoffs import hand_off

    # The same step of the same case again: nothing new.
    message = inbox(world.zhao, "待您复核")[0]
    assert (
        hand_off(
            key=f"review:await:{case.pk}:1",
            users=[world.zhao],
            case=case,
            panel="reviews",
            subject=message.subject,
            body=message.body,
            now=timezone.now(),
        )
        == 0
    )
    assert OutboxMessage.objects.count() == count
    client.login(username="zhao", password=PASSWORD)
    page = client.get(reverse("notification_list")).content.decode()
    assert "待您复核" in page and f'href="{panel_url(case.pk, "reviews")}"' in page


def test_a_hand_off_leaves_the_inbox_once_someone_acts_on_it(world):
    case = case_in_review(world)
    add_result(world, case, by=world.li)
    self_check(actor=world.li, case=case, results=ok(case), now=timezone.now())
    [waiting] = inbox(world.zhao, "待您复核")
    assert waiting.read_at is None
    # Another supervisor-level reviewer takes it: it is done for everyone it went to.
    supervisor_review(actor=world.chen, case=case, results=ok(case), now=timezone.now())
    waiting.refresh_from_db()
    assert waiting.read_at is not None


def test_a_confirmed_team_clears_the_managers_proposal(world):
    from expedite.work.team import team_assign

    case = case_along(
        world,
        facts={"resolution_signed": True},
        reason="银行贷款需要营业执照",
        states=("quoted", "accepted"),
    )
    [message] = inbox(world.chen, "待您确认分工")
    assert not inbox(world.liu, "待您确认分工")  # the department manager's, not everyone's
    team_assign(
        actor=world.chen,
        case=case,
        choices={"liaison": world.zhang.pk, "process": world.li.pk, "risk": world.wang.pk},
    )
    message.refresh_from_db()
    assert message.read_at is not None


def test_the_demo_has_hand_offs_waiting_in_the_next_persons_inbox(client, world, clock):
    from django.contrib.auth import get_user_model

    from expedite.ops.demo import DEMO_PASSWORD, demo_load
    from expedite.reviews.demo import AWAITING

    demo_load(now=timezone.now())
    supervisor = get_user_model().objects.get(username="zhaolei")
    waiting = OutboxMessage.objects.get(
        user=supervisor, channel="inapp", subject__contains="待您复核", case__reason=AWAITING
    )
    assert waiting.read_at is None
    client.login(username="zhaolei", password=DEMO_PASSWORD)
    page = client.get(reverse("notification_list")).content.decode()
    assert waiting.subject in page and f'href="{waiting.link}"' in page
    # The navigation counts what waits.
    assert "待我处理" in page


def test_the_morning_digest_lists_what_was_handed_over_until_it_is_done(world):
    from expedite.desk.digest import digest_text

    case = case_in_review(world)
    add_result(world, case, by=world.li)
    self_check(actor=world.li, case=case, results=ok(case), now=timezone.now())
    _, body = digest_text(world.zhao, now=timezone.now())
    assert "交到我手上、尚未处理（1）" in body and case.reference in body
    supervisor_review(actor=world.zhao, case=case, results=ok(case), now=timezone.now())
    _, body = digest_text(world.zhao, now=timezone.now())
    assert "交到我手上" not in body
