"""Text messages through 阿里云短信 and 腾讯云短信, each against a loopback stand-in that checks
the request's signature as the provider does and answers in its documented format: sent once,
retried when a retry can help, held for a person when it cannot or when it may already have
gone out, and settled by the provider's delivery receipt."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from expedite.domain.errors import ValidationFailed
from expedite.domain.sms import SmsKind
from expedite.notify.codes import code_text
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage
from expedite.notify.notices import tell_client
from expedite.notify.services import outbox_mark_sent, outbox_resend
from tests.factories import new_case
from tests.standins.sms_aliyun import AliyunSms
from tests.standins.sms_tencent import TencentSms

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "code": "SMS_CODE",
    "notice": "SMS_NOTICE",
    "reminder": "SMS_REMINDER",
    "delivery": "SMS_DELIVERY",
    "risk": "SMS_RISK",
    "received": "SMS_RECEIVED",
}
RECEIPT_TOKEN = "receipt-secret-7f3a"
RATE_LIMITED = {
    "aliyun": "isv.BUSINESS_LIMIT_CONTROL",
    "tencent": "LimitExceeded.PhoneNumberOneHourLimit",
}
NO_BALANCE = {
    "aliyun": "isv.AMOUNT_NOT_ENOUGH",
    "tencent": "FailedOperation.InsufficientBalanceInSmsPackage",
}
NOT_APPROVED = {"aliyun": "isv.SMS_TEMPLATE_ILLEGAL", "tencent": "TemplateIncorrectOrUnapproved"}


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request, settings):
    stand_in = AliyunSms if request.param == "aliyun" else TencentSms
    # Every template but the risk warning is approved: the firm has not filed that one yet.
    approved = [v for k, v in TEMPLATES.items() if k != "risk"]
    server = stand_in(approved_templates=approved).start()
    settings.EXPEDITE_SMS_PROVIDER = request.param
    settings.EXPEDITE_SMS_ENDPOINT = server.url
    settings.EXPEDITE_SMS_KEY_ID = "test-key-id"
    settings.EXPEDITE_SMS_KEY_SECRET = "test-key-secret"
    settings.EXPEDITE_SMS_SIGN_NAME = "加急服务台"
    settings.EXPEDITE_SMS_APP_ID = server.app_id
    settings.EXPEDITE_SMS_TEMPLATES = TEMPLATES
    settings.EXPEDITE_SMS_TIMEOUT_SECONDS = 1
    settings.EXPEDITE_SMS_RECEIPT_TOKEN = RECEIPT_TOKEN
    server.name = request.param
    yield server
    server.stop()


def notice(world, kind: SmsKind = SmsKind.NOTICE, key: str = "test:notice"):
    case = new_case(world, client=world.acme, days=20, reason="短信测试")  # 周婷, phone only
    values = {"service": "营业执照变更", "ref": case.reference, "count": 2, "date": "2026-12-10"}
    values |= {"what": "补正材料", "risk": "窗口系统维护"}
    told = tell_client(key=key, case=case, now=case.created_at, sms=(kind, values))
    assert told.texts == 1
    return OutboxMessage.objects.get(channel="sms", key__startswith=key)


def case_ref(row) -> str:
    return row.case.reference


def run(row, *, after: dt.timedelta = dt.timedelta(0)) -> dict:
    row.refresh_from_db()
    return deliver_due(now=row.next_attempt_at + after, worker="test")


def receipts_url(name: str) -> str:
    return "http://testserver" + reverse("sms_receipts", args=[name, RECEIPT_TOKEN])


def push(client, provider, **kwargs) -> None:
    """The stand-in's receipt batch, posted to the product through the test client."""

    def post(url: str, body: object) -> tuple[int, dict]:
        response = client.post(url, json.dumps(body), content_type="application/json")
        return response.status_code, response.json()

    status, answer = provider.push_receipts(receipts_url(provider.name), post=post, **kwargs)
    assert status == 200 and (answer.get("code") == 0 or answer.get("result") == 0)


def test_a_notice_goes_once_with_its_template_and_the_receipt_records_delivery(
    client, world, provider
):
    row = notice(world)
    assert run(row)["sent"] == 1
    [sent] = provider.sent
    assert sent.phone == "13816220001" and sent.template == "SMS_NOTICE"
    assert sent.sign_name == "加急服务台" and sent.reference == row.key
    # 腾讯云 takes the variables by position, in the filed template's order.
    ordered = [case_ref(row), "2", "2026-12-10"]
    if provider.name == "tencent":
        assert sent.params[1:4] == ordered and sent.params[0] == "营业执照变更"
    else:
        assert [sent.params[k] for k in ("ref", "count", "date")] == ordered
    assert "【材料补正一次性告知】" in row.subject and "/s/" in row.body
    row.refresh_from_db()
    assert row.status == "sent" and row.provider_ref == sent.message_id
    assert run(row, after=dt.timedelta(hours=1))["sent"] == 0  # never twice
    push(client, provider)
    row.refresh_from_db()
    assert row.delivery == "delivered" and row.delivered_at is not None


def test_a_failed_delivery_is_recorded_as_such(client, world, provider):
    row = notice(world)
    run(row)
    push(client, provider, delivered=False)
    row.refresh_from_db()
    assert row.delivery == "failed" and row.delivery_note


@pytest.mark.parametrize("codes", [RATE_LIMITED, NO_BALANCE], ids=["rate-limited", "no-balance"])
def test_rate_limits_and_an_empty_balance_are_retried_and_sent_once(world, provider, codes):
    provider.fail_next(codes[provider.name])
    row = notice(world)
    assert run(row)["failed"] == 1
    row.refresh_from_db()
    assert row.status == "pending" and codes[provider.name] in row.last_error
    assert not provider.sent
    assert run(row)["sent"] == 1 and len(provider.sent) == 1


def test_a_template_not_approved_is_held_then_sent_once_a_person_resends_it(
    client, world, provider, settings
):
    row = notice(world, SmsKind.RISK, key="test:risk")
    assert run(row)["held"] == 1
    row.refresh_from_db()
    assert row.status == "held" and NOT_APPROVED[provider.name] in row.last_error
    assert run(row, after=dt.timedelta(days=1))["sent"] == 0 and not provider.sent
    # The outbox page shows it to the administrator with what went wrong.
    admin = get_user_model().objects.create_superuser("outbox-admin", "ops@firm.example", "x")
    client.force_login(admin)
    page = client.get(reverse("outbox_page")).content.decode()
    assert "暂停待处理" in page and NOT_APPROVED[provider.name] in page
    # The firm files the template; the administrator sends it again.
    provider.templates["SMS_RISK"] = None
    response = client.post(reverse("outbox_decide", args=[row.pk]), {"action": "resend"})
    assert response.status_code == 302
    assert run(row)["sent"] == 1 and [s.template for s in provider.sent] == ["SMS_RISK"]


def test_a_timeout_after_the_request_went_out_is_held_not_sent_twice(client, world, provider):
    provider.hang_next(2)
    row = notice(world)
    assert run(row)["held"] == 1
    assert len(provider.sent) == 1  # the provider took it; the answer never came
    assert run(row, after=dt.timedelta(hours=2))["sent"] == 0 and len(provider.sent) == 1
    row.refresh_from_db()
    assert row.status == "held" and row.provider_ref == ""
    # What is kept says what happened, not the request (number, variables, short link).
    assert "13816220001" not in row.last_error and row.variables["link"] not in row.last_error
    push(client, provider)
    row.refresh_from_db()
    if provider.name == "aliyun":
        # 阿里云's receipt names our key: it went out after all, nothing is left to decide.
        assert row.status == "sent" and row.delivery == "delivered"
        assert row.provider_ref == provider.sent[0].message_id
    else:
        # 腾讯云's names only its own id, which never reached us: a person decides.
        assert row.status == "held" and row.delivery == ""


@pytest.mark.parametrize("provider", ["tencent"], indirect=True)  # a 腾讯云 error code
def test_tencents_own_timeout_to_the_carrier_is_held_not_retried(world, provider):
    provider.fail_next("InternalError.Timeout")
    row = notice(world)
    assert run(row)["held"] == 1
    assert run(row, after=dt.timedelta(hours=1))["sent"] == 0


def test_a_provider_that_cannot_be_reached_is_retried(world, provider):
    row = notice(world)
    provider.stop()
    assert run(row)["failed"] == 1
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1


def test_a_person_may_close_a_held_message_without_sending_it(world, provider):
    provider.hang_next(2)
    row = notice(world)
    run(row)
    outbox_mark_sent(pk=row.pk, actor=world.zhao, now=row.created_at)
    row.refresh_from_db()
    assert row.status == "sent" and len(provider.sent) == 1
    with pytest.raises(Exception, match="不在暂停中"):
        outbox_resend(pk=row.pk, actor=world.zhao, now=row.created_at)


def test_one_time_codes_keep_to_each_numbers_limits(world, provider, clock):
    cache.clear()
    now = dt.datetime.now(dt.UTC)
    code_text(phone="13900001111", code="123456", now=now, purpose="t1")
    [sent] = provider.sent
    assert sent.template == "SMS_CODE"
    with pytest.raises(ValidationFailed, match="太频繁"):
        code_text(
            phone="13900001111", code="123456", now=now + dt.timedelta(seconds=30), purpose="t2"
        )
    # Another number is not held back by this one.
    code_text(phone="13900002222", code="654321", now=now, purpose="t3")
    for minute in range(2, 6):
        code_text(
            phone="13900001111", code="123456", now=now + dt.timedelta(minutes=minute), purpose="t"
        )
    # Five in the hour: the sixth waits for the hour to pass.
    with pytest.raises(ValidationFailed, match="太频繁"):
        code_text(phone="13900001111", code="1", now=now + dt.timedelta(minutes=30), purpose="t")
    assert len([s for s in provider.sent if s.phone == "13900001111"]) == 5
    row = OutboxMessage.objects.filter(template="code").first()
    assert row.variables == {"code": "******"} and row.provider_ref


def test_a_code_the_provider_refuses_is_said_and_stores_nothing(world, provider):
    provider.fail_next(NO_BALANCE[provider.name])
    with pytest.raises(ValidationFailed, match="短信暂时发送不出去"):
        code_text(phone="13900001111", code="123456", now=dt.datetime.now(dt.UTC), purpose="x")
    assert not OutboxMessage.objects.filter(template="code").exists()


def test_receipts_need_the_secret_address(client, world, provider):
    row = notice(world)
    run(row)
    wrong = reverse("sms_receipts", args=[provider.name, "guess"])
    assert client.post(wrong, "[]", content_type="application/json").status_code == 404
    url = reverse("sms_receipts", args=[provider.name, RECEIPT_TOKEN])
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, '{"a": 1}', content_type="application/json").status_code == 400
    row.refresh_from_db()
    assert row.delivery == ""
