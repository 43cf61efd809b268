"""我要加急 from the client's own phone: the public request page proves the number with a code,
then opens a case awaiting triage, tells the liaison on duty, and hands the client its status
page at once — and refuses bad input, wrong codes and repeats without storing anything."""

import datetime as dt

import pytest
from django.urls import reverse

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case, Client, ClientContact
from expedite.domain.errors import ValidationFailed
from expedite.domain.roles import Role
from expedite.notify.codes import code_text
from expedite.notify.delivery import deliver_due
from expedite.notify.links import short_target
from expedite.notify.models import OutboxMessage
from expedite.notify.sms import LogProvider
from expedite.portal.links import portal_path
from expedite.requests.models import RequestCode
from expedite.work.models import Absence, Assignment
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db

PHONE = "13900001234"
USCC = make_uscc("91310104MA1FRQXT0")


def form(**changes) -> dict:
    today = clock.today()
    data = {
        "phone": PHONE,
        "code": "",
        "company": "上海晨光贸易有限公司",
        "uscc": USCC,
        "contact_name": "陈晨",
        "email": "",
        "channel": "sms",
        "service": "business-change",
        "reason": "银行放款前必须完成法定代表人变更",
        "deadline": (today + dt.timedelta(days=20)).isoformat(),
        "written_notice": "yes",
        "materials_complete": "yes",
        "materials_expected": "",
        "consequence": "contract_penalty",
        "action": "submit",
    }
    return {**data, **changes}


def ask_code(client, phone: str = PHONE) -> str:
    response = client.post(reverse("request_page"), form(phone=phone, action="code"))
    assert response.status_code == 200
    sent = LogProvider.sent[-1]
    assert sent.phone == phone and sent.kind == "code"
    return sent.variables["code"]


def test_the_page_asks_the_three_questions_and_lists_the_catalog(client, world):
    page = client.get(reverse("request_page")).content.decode()
    assert "最晚哪天必须办好" in page and "书面通知" in page and "今天能把完整材料" in page
    assert 'value="business-change"' in page and "获取验证码" in page


def test_a_proven_phone_opens_a_case_for_triage_and_the_status_page_at_once(client, world):
    code = ask_code(client)
    response = client.post(reverse("request_page"), form(code=code))
    case = Case.objects.get(client__uscc=USCC)
    assert response.status_code == 302 and response["Location"] == portal_path(case)
    assert case.state == "draft" and case.created_by is None
    assert case.intake["client"]["written_notice"] is True
    assert case.intake["client"]["consequence"] == "contract_penalty"
    contact = ClientContact.objects.get(client=case.client)
    assert (contact.name, contact.phone, contact.channel) == ("陈晨", PHONE, "sms")
    # The liaison on duty has the case and hears of it at once, with the place to act.
    liaison = Assignment.objects.get(case=case, role="liaison")
    assert liaison.user == world.zhang and liaison.status == "proposed"
    [told] = OutboxMessage.objects.filter(user=world.zhang, channel="inapp", case=case)
    assert "客户在线提交加急申请" in told.subject and told.link.endswith("#triage")
    # The client hears it was received, by text message, with the short link to its page.
    [text] = OutboxMessage.objects.filter(channel="sms", case=case, template="received")
    deliver_due(now=text.next_attempt_at, worker="test")
    sent = LogProvider.sent[-1]
    assert sent.kind == "received" and sent.variables["ref"] == case.reference
    assert short_target(sent.variables["link"], now=clock.now()) == portal_path(case)
    assert AuditEvent.objects.filter(kind="case.requested", case=case).exists()
    # The status page opens verified: the browser proved the number a moment ago.
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page


def test_a_wrong_code_stores_nothing_and_counts_the_attempt(client, world):
    ask_code(client)
    response = client.post(reverse("request_page"), form(code="000000"))
    assert response.status_code == 422 and "验证码" in response.content.decode()
    assert not Case.objects.exists() and not Client.objects.filter(uscc=USCC).exists()
    assert RequestCode.objects.get().attempts == 1


def test_no_code_asked_for_stores_nothing(client, world):
    response = client.post(reverse("request_page"), form(code="123456"))
    assert response.status_code == 422
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"uscc": USCC[:-1] + ("1" if USCC[-1] == "0" else "0")}, "校验位"),
        ({"company": "晨光\x07贸易"}, "公司名称含有不可见的控制字符"),
        ({"company": "晨光\x00贸易"}, "空字符"),
        ({"phone": "021-62880000", "action": "code"}, "请填写有效的中国大陆手机号码"),
        ({"channel": "email"}, "选择仅电子邮件通知时，请填写电子邮箱"),
    ],
)
def test_bad_input_gets_a_clear_message_and_spends_no_code(client, world, changes, message):
    code = ask_code(client)
    before = (Case.objects.count(), Client.objects.count(), len(LogProvider.sent))
    response = client.post(reverse("request_page"), form(code=code, **changes))
    assert message in response.content.decode()
    assert (Case.objects.count(), Client.objects.count(), len(LogProvider.sent)) == before
    if changes.get("action") != "code":
        assert RequestCode.objects.get().used_at is None  # the code still works


def test_a_second_code_within_the_minute_is_refused_with_the_time(client, world):
    ask_code(client)
    response = client.post(reverse("request_page"), form(action="code"))
    assert "验证码发送太频繁" in response.content.decode()
    assert RequestCode.objects.count() == 1


def test_a_repeat_makes_no_second_case_and_tells_the_liaison(client, world, clock):
    client.post(reverse("request_page"), form(code=ask_code(client)))
    case = Case.objects.get()
    clock.shift(dt.timedelta(minutes=2))  # past the number's one code a minute
    response = client.post(reverse("request_page"), form(code=ask_code(client)))
    assert Case.objects.count() == 1
    assert response["Location"] == portal_path(case)  # the same contact: its own page
    assert OutboxMessage.objects.filter(
        user=world.zhang, channel="inapp", key__startswith="handoff:request:duplicate"
    ).exists()


def section(response) -> str:
    html = response.content.decode()
    return html[html.index("<section") : html.index("</section>")]


def test_a_stranger_with_a_known_credit_code_learns_nothing_and_joins_no_client(client, world):
    """A credit code is public: a number the company never registered becomes no contact of
    it, hears nothing of its cases, and is told the same whether or not one is open."""
    acme = world.acme
    contacts = set(acme.contacts.values_list("pk", flat=True))
    stranger = "13900005678"
    response = client.post(
        reverse("request_page"),
        form(phone=stranger, code=ask_code(client, stranger), uscc=acme.uscc, company="随便写"),
    )
    assert response.status_code == 200
    case = Case.objects.get(client=acme)
    assert set(acme.contacts.values_list("pk", flat=True)) == contacts
    assert case.intake["requester"]["phone"] == stranger
    assert case.reference not in response.content.decode()
    # The liaison on duty is asked to confirm the person first; the client's contacts and the
    # stranger get nothing about the case.
    [told] = OutboxMessage.objects.filter(user=world.zhang, channel="inapp", case=case)
    assert "核实申请人身份" in told.body
    assert not OutboxMessage.objects.filter(case=case, contact__isnull=False).exists()
    # The same request again, now that one is open: the same page, no second case.
    clock_shift = client.post(
        reverse("request_page"),
        form(phone="13900005679", code=ask_code(client, "13900005679"), uscc=acme.uscc),
    )
    assert section(clock_shift) == section(response)
    assert Case.objects.filter(client=acme).count() == 1
    assert OutboxMessage.objects.filter(
        user=world.zhang, key__startswith="handoff:request:duplicate"
    ).exists()
    assert AuditEvent.objects.filter(kind="case.requested", case=case).count() == 2


def test_a_registered_contact_of_a_known_client_gets_its_page(client, world):
    contact = world.acme.contacts.get()  # 周婷, 13816220001
    response = client.post(
        reverse("request_page"),
        form(phone=contact.phone, code=ask_code(client, contact.phone), uscc=world.acme.uscc),
    )
    case = Case.objects.get(client=world.acme)
    assert response["Location"] == portal_path(case)
    assert "requester" not in case.intake
    assert world.acme.contacts.count() == 1


def test_the_liaison_away_today_is_not_on_duty(client, world, make_user):
    other = make_user("xu", Role.LIAISON)
    today = clock.today()
    Absence.objects.create(user=world.zhang, start=today, end=today, reason="年假")
    client.post(reverse("request_page"), form(code=ask_code(client)))
    assert Assignment.objects.get(role="liaison").user == other


def test_the_staff_page_prints_the_request_page_as_a_qr_code(client, world):
    client.force_login(world.zhang)
    page = client.get(reverse("request_qr")).content.decode()
    assert "<svg" in page and "/request/" in page


def test_codes_asked_on_the_public_page_never_lock_a_client_out_of_its_portal(world):
    start = clock.now()
    phone = world.acme.contacts.get().phone
    for minute in (0, 2, 4, 6, 8):  # the hour's five
        at = start + dt.timedelta(minutes=minute)
        code_text(phone=phone, code="123456", now=at, purpose=f"request:{minute}")
    with pytest.raises(ValidationFailed, match="太频繁"):
        code_text(phone=phone, code="1", now=start + dt.timedelta(minutes=30), purpose="request:2")
    # The portal's own code to the same number still goes.
    code_text(phone=phone, code="654321", now=start + dt.timedelta(minutes=30), purpose="portal:9")
    assert LogProvider.sent[-1].variables["code"] == "654321"
