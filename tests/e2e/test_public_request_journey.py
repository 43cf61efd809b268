"""A client with only a mobile number, on its phone: from the public 我要加急 page to a signed
confirmation of the result, never using e-mail — each message reaching the phone through the
SMS provider's stand-in (阿里云's API, signatures checked)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from expedite import clock
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage
from tests.conftest import make_uscc
from tests.factories import moved, triaged
from tests.standins.sms_aliyun import AliyunSms
from tests.web.delivery_helpers import add_result, pass_review

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = "13900001234"
TEMPLATES = {
    k: f"SMS_{k.upper()}" for k in ("code", "notice", "reminder", "delivery", "risk", "received")
}


@pytest.fixture
def sms(settings):
    server = AliyunSms(approved_templates=list(TEMPLATES.values())).start()
    settings.EXPEDITE_SMS_PROVIDER = "aliyun"
    settings.EXPEDITE_SMS_ENDPOINT = server.url
    settings.EXPEDITE_SMS_KEY_ID = "test-key-id"
    settings.EXPEDITE_SMS_KEY_SECRET = "test-key-secret"
    settings.EXPEDITE_SMS_SIGN_NAME = "加急服务台"
    settings.EXPEDITE_SMS_TEMPLATES = TEMPLATES
    settings.EXPEDITE_SMS_TIMEOUT_SECONDS = 5
    yield server
    server.stop()


def send_outbox() -> None:
    deliver_due(now=clock.now() + dt.timedelta(days=1), worker="test", batch=500)


def last_code(sms: AliyunSms) -> str:
    sent = sms.sent[-1]
    assert sent.template == "SMS_CODE" and sent.phone == PHONE
    return sent.params["code"]


def test_a_phone_only_client_goes_from_the_request_page_to_a_signed_confirmation(
    world, page, live_server, sms, clock
):
    # 1. The public page, on the phone: the number first, proven by a code.
    page.goto(live_server.url + "/request/")
    page.locator("#id_phone").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送至 139****1234")
    page.locator("#id_code").fill(last_code(sms))
    page.locator("#id_company").fill("上海晨光贸易有限公司")
    page.locator("#id_uscc").fill(make_uscc("91310104MA1FRQXT0"))
    page.locator("#id_contact_name").fill("陈晨")
    page.locator("#id_channel").select_option("sms")
    page.locator("#id_service").select_option("business-change")
    page.locator("#id_reason").fill("银行放款前必须完成法定代表人变更")
    deadline = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    page.locator("#id_deadline").fill(deadline)
    page.locator("#id_written_notice").select_option("yes")
    page.locator("#id_materials_complete").select_option("yes")
    page.locator("#id_consequence").select_option("contract_penalty")
    page.get_by_role("button", name="提交加急申请").click()
    case = Case.objects.get(client__uscc=make_uscc("91310104MA1FRQXT0"))
    expect(page.get_by_role("status").first).to_contain_text(case.reference)
    assert case.state == "draft" and not case.client.contacts.exclude(email="").exists()
    send_outbox()
    assert [s.template for s in sms.sent] == ["SMS_CODE", "SMS_RECEIVED"]
    assert sms.sent[-1].params["ref"] == case.reference

    # 2. The firm works the case over the next days: triage, quote, acceptance, the work, a
    # passed review, the result handed over.
    clock.shift(dt.timedelta(days=1))
    case = triaged(world, case, facts={"resolution_signed": True})
    case = moved(world, case, "quoted", "accepted", "in_progress", "review")
    add_result(world, case)
    pass_review(world, case)
    case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())
    send_outbox()
    delivery = [s for s in sms.sent if s.template == "SMS_DELIVERY"]
    assert len(delivery) == 1 and delivery[0].params["ref"] == case.reference

    # 3. The client follows the text message's short link and signs with a code by SMS.
    page.goto(f"{live_server.url}/s/{delivery[0].params['link']}")
    expect(page.locator("#delivery")).to_contain_text("新营业执照1.pdf")
    page.locator("#confirm-link").click()
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status").first).to_contain_text("验证码已发送")
    page.get_by_label("满意", exact=True).check()
    page.locator("#code").fill(last_code(sms))
    page.get_by_role("button", name="确认并签署").click()
    expect(page.get_by_role("status").first).to_contain_text("已确认")
    assert Case.objects.get(pk=case.pk).state == "confirmed"

    # Every message to the client went by text message; none waits or was held.
    assert not OutboxMessage.objects.filter(case=case, channel="email").exists()
    assert not OutboxMessage.objects.filter(case=case, channel="sms").exclude(status="sent")
    templates = [s.template for s in sms.sent]
    assert templates.count("SMS_CODE") == 2 and "SMS_RECEIVED" in templates
    assert {s.phone for s in sms.sent} == {PHONE}
