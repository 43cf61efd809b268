"""One-time codes must not lock clients out: a resend cooldown per link and recipient instead of
a tight count, limits per link and per recipient (never per address), failed checks limited
on their own, and a 429 that says when to retry and whom to call."""

import datetime as dt
import re

import pytest
import time_machine

from expedite.accounts.models import StaffContact
from expedite.notify.sms import LogProvider
from expedite.portal import links
from expedite.portal.models import VerificationCode
from tests.factories import new_case
from tests.web import custody_helpers

DUE = dt.date(2026, 12, 4)
# A Thursday, 10:00 in Shanghai: the fixed windows of 10 minutes and an hour start here.
AT = "2026-11-26T10:00:00+08:00"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.clock(AT),
    pytest.mark.case(client="hengxin", deadline=DUE, reason="内部"),
]
smtp = custody_helpers.smtp  # fixture
NAT = "203.0.113.7"  # one office's address, shared by every client behind it


@pytest.fixture
def frozen():
    """The pinned instant, not ticking: the times on the pages are exact."""
    with time_machine.travel(dt.datetime.fromisoformat(AT), tick=False) as traveller:
        yield traveller


def _url(case) -> str:
    return links.portal_path(case) + "verify/"


def _send(client, case, contact=None):
    contact = contact or case.client.contacts.get()
    return client.post(_url(case), {"action": "send", "contact": contact.pk}, REMOTE_ADDR=NAT)


def _check(client, case, code):
    return client.post(_url(case), {"action": "check", "code": code}, REMOTE_ADDR=NAT)


def _code(smtp) -> str:
    return re.search(r"验证码是 (\d{6})", smtp.texts()[-1][1]).group(1)


def _page(response) -> str:
    return response.content.decode()


def test_a_second_send_within_the_cooldown_sends_nothing_and_says_when(
    client, world, case, smtp, frozen
):
    assert _send(client, case).status_code == 302
    code = _code(smtp)
    again = client.post(
        _url(case), {"action": "send", "contact": case.client.contacts.get().pk}, follow=True
    )
    assert again.status_code == 200
    assert "可于 10:01:00 后重新发送" in _page(again)
    assert len(smtp.messages) == 1 and VerificationCode.objects.count() == 1
    # Without JavaScript the page says when; the button waits the seconds left.
    page = _page(client.get(_url(case)))
    assert re.search(r'<button class="btn secondary" disabled data-cooldown="60">', page)
    assert "可于 10:01:00 后重新发送" in page
    assert "expedite/cooldown.js" in page
    # The misclick voided nothing: the code first sent still verifies.
    verified = client.post(_url(case), {"action": "check", "code": code}, follow=True)
    assert "身份已验证" in _page(verified)


def test_after_the_cooldown_a_new_code_can_be_sent(client, world, case, smtp, frozen):
    _send(client, case)
    frozen.shift(59)
    _send(client, case)
    assert len(smtp.messages) == 1
    frozen.shift(1)
    assert "disabled" not in _page(client.get(_url(case))).split('id="code-send"')[1]
    _send(client, case)
    assert len(smtp.messages) == 2


def test_the_send_and_verify_buttons_are_in_separate_forms(client, world, case, smtp):
    _send(client, case)
    page = _page(client.get(_url(case)))
    forms = re.findall(r"<form method=\"post\".*?</form>", page, flags=re.S)
    check = next(f for f in forms if 'value="check"' in f)
    send = next(f for f in forms if 'value="send"' in f)
    assert 'value="send"' not in check and 'value="check"' not in send
    assert '<button class="btn">' in check and '<button class="btn secondary"' in send
    # The code entry comes first, the resend below it.
    assert page.index('value="check"') < page.index('value="send"')


def test_a_client_behind_the_same_address_is_not_locked_out(
    client, world, case, smtp, settings, frozen
):
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "code": (2, 600),
    }
    for _ in range(2):
        assert _send(client, case).status_code == 302
        frozen.shift(61)
    assert _send(client, case).status_code == 429
    # Another company's client in the same office: its own link, its own recipient.
    other = new_case(world, client=world.acme, deadline=DUE, reason="内部")  # 周婷, by SMS
    sent = len(LogProvider.sent)
    assert _send(client, other).status_code == 302
    assert len(LogProvider.sent) == sent + 1
    assert VerificationCode.objects.filter(case=other).count() == 1


def test_one_recipient_is_limited_over_all_its_links(client, world, case, smtp, settings, frozen):
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "code_recipient": (2, 3600),
    }
    second = new_case(world, client=world.hengxin, deadline=DUE, reason="内部")
    assert _send(client, case).status_code == 302
    assert _send(client, second).status_code == 302  # another link: no cooldown between them
    frozen.shift(61)
    response = _send(client, second)
    assert response.status_code == 429 and "请于 11:00 后再试" in _page(response)
    assert len(smtp.messages) == 2


def test_the_429_page_names_the_retry_time_and_the_liaison(
    client, world, case, smtp, settings, frozen
):
    StaffContact.objects.create(user=world.zhang, phone="021-6288 0101")
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "code": (1, 600),
    }
    _send(client, case)
    frozen.shift(61)
    response = _send(client, case)
    assert response.status_code == 429
    page = _page(response)
    assert "请稍后再试" in page and "请于 10:10 后再试" in page
    assert "张敏" in page and 'href="tel:021-6288 0101"' in page
    assert f'href="{_url(case)}"' in page  # the way back
    assert response["Retry-After"] == str(600 - 61)


def test_when_sending_is_refused_the_code_already_sent_still_verifies(
    client, world, case, smtp, settings, frozen
):
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "code": (1, 600),
    }
    _send(client, case)
    code = _code(smtp)
    frozen.shift(61)
    assert _send(client, case).status_code == 429
    assert _check(client, case, code).status_code == 302
    assert "已验证身份：吴刚" in _page(client.get(links.portal_path(case)))


def test_failed_checks_are_limited_per_link(client, world, case, smtp, settings, frozen):
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "verify": (3, 600),
    }
    _send(client, case)
    wrong = "000000" if _code(smtp) != "000000" else "111111"
    for _ in range(3):
        assert _check(client, case, wrong).status_code == 302
    response = _check(client, case, _code(smtp))
    assert response.status_code == 429 and "验证码输错的次数过多" in _page(response)
    assert "请于 10:10 后再试" in _page(response)


def test_a_right_code_does_not_use_the_check_limit_up(client, world, case, smtp, settings, frozen):
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "verify": (1, 600),
    }
    for _ in range(2):
        _send(client, case)
        response = client.post(_url(case), {"action": "check", "code": _code(smtp)}, follow=True)
        assert response.status_code == 200 and "身份已验证" in _page(response)
        frozen.shift(61)


def test_the_lookup_limit_says_when_to_retry(client, world, settings, frozen):
    settings.EXPEDITE_PORTAL_RATE_LIMITS = {
        **settings.EXPEDITE_PORTAL_RATE_LIMITS,
        "lookup": (1, 60),
    }
    client.get("/p/guess1/", REMOTE_ADDR=NAT)
    response = client.get("/p/guess2/", REMOTE_ADDR=NAT)
    assert response.status_code == 429 and "请于 10:01 后再试" in _page(response)
    assert "客户对接专员" not in _page(response)  # a guessed link learns no name


def test_the_result_confirmation_page_keeps_the_same_cooldown(client, world, smtp, frozen):
    from tests.web.delivery_helpers import confirm_url, delivered_case, mailed_code

    case = delivered_case(world)
    contact = case.client.contacts.get()
    client.post(confirm_url(case), {"action": "send", "contact": contact.pk})
    code = mailed_code(smtp)
    again = client.post(confirm_url(case), {"action": "send", "contact": contact.pk}, follow=True)
    assert "可于 10:01:00 后重新发送" in _page(again) and len(smtp.messages) == 1
    assert 'disabled data-cooldown="60"' in _page(again)
    response = client.post(
        confirm_url(case), {"action": "confirm", "evaluation": "satisfied", "code": code}
    )
    assert response.status_code == 302  # the code sent first still signs
