"""验证身份: a one-time code to a registered contact, single use, 10 minutes, 5 attempts."""

import datetime as dt
import logging
import re

import pytest
from django.test import RequestFactory
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.domain.errors import ValidationFailed
from expedite.notify.models import OutboxMessage
from expedite.notify.sms import LogProvider
from expedite.portal import links, services
from expedite.portal.access import client_verified
from expedite.portal.models import VerificationCode
from tests.factories import new_case
from tests.web import custody_helpers

DUE = dt.date(2026, 12, 4)
# 恒信's case: its contact 吴刚 has an e-mail address.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(client="hengxin", deadline=DUE, reason="内部"),
]
smtp = custody_helpers.smtp  # fixture


def _code(inbox) -> str:
    return re.search(r"验证码是 (\d{6})", inbox.texts()[-1][1]).group(1)


def _verify_url(case) -> str:
    return links.portal_path(case) + "verify/"


def _send(client, case, contact_id=None):
    contact_id = contact_id or case.client.contacts.get().pk
    return client.post(_verify_url(case), {"action": "send", "contact": contact_id})


def test_the_client_verifies_with_a_code_mailed_to_a_registered_contact(client, world, case, smtp):
    page = client.get(_verify_url(case)).content.decode()
    assert "吴*" in page and "w***@hengxin.example" in page
    assert "吴刚" not in page and "wugang@" not in page
    assert client.get(links.portal_path(case)).content.decode().count("验证身份") >= 1
    _send(client, case)
    rcpt, text = smtp.texts()[-1]
    assert rcpt == ["wugang@hengxin.example"] and case.reference in text
    code = _code(smtp)
    row = VerificationCode.objects.get()
    assert code not in row.digest and row.channel == "email"
    assert row.expires_at - row.sent_at == dt.timedelta(minutes=10)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(_verify_url(case), {"action": "check", "code": wrong}, follow=True)
    assert "还可尝试 4 次" in response.content.decode()
    response = client.post(_verify_url(case), {"action": "check", "code": code}, follow=True)
    html = response.content.decode()
    assert "身份已验证" in html and "已验证身份：吴刚" in html
    kinds = list(AuditEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-3:] == ["portal.code_sent", "portal.code_failed", "portal.client_verified"]


def _request(client):
    """A request carrying the test client's session, for the access functions."""
    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_a_code_is_single_use_expires_and_allows_five_attempts(client, world, case, smtp):
    now = timezone.now()
    contact = case.client.contacts.get().pk
    request = _request(client)
    row = services.code_send(case=case, contact_id=contact, now=now)
    code = _code(smtp)
    services.code_verify(request, case=case, code_id=row.pk, code=code, now=now)
    with pytest.raises(ValidationFailed, match="已使用"):
        services.code_verify(request, case=case, code_id=row.pk, code=code, now=now)

    row = services.code_send(case=case, contact_id=contact, now=now)
    late = now + dt.timedelta(minutes=10)
    with pytest.raises(ValidationFailed, match="已过期"):
        services.code_verify(request, case=case, code_id=row.pk, code=_code(smtp), now=late)

    row = services.code_send(case=case, contact_id=contact, now=now)
    code = _code(smtp)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(ValidationFailed, match="还可尝试"):
            services.code_verify(request, case=case, code_id=row.pk, code=wrong, now=now)
    with pytest.raises(ValidationFailed, match="次数过多"):
        services.code_verify(request, case=case, code_id=row.pk, code=wrong, now=now)
    with pytest.raises(ValidationFailed, match="次数过多"):
        services.code_verify(request, case=case, code_id=row.pk, code=code, now=now)
    row.refresh_from_db()
    assert row.attempts == 5 and row.used_at is None


def test_a_new_code_replaces_the_old_one(client, world, case, smtp):
    now = timezone.now()
    contact = case.client.contacts.get().pk
    first = services.code_send(case=case, contact_id=contact, now=now)
    old = _code(smtp)
    services.code_send(case=case, contact_id=contact, now=now)
    with pytest.raises(ValidationFailed):
        services.code_verify(_request(client), case=case, code_id=first.pk, code=old, now=now)


def test_verification_holds_for_its_own_case_only(client, world, case, smtp):
    other = new_case(world, client=world.hengxin, deadline=DUE, reason="内部")
    now = timezone.now()
    request = _request(client)
    row = services.code_send(case=case, contact_id=case.client.contacts.get().pk, now=now)
    code = _code(smtp)
    # A code sent for one case proves nothing on another case's link.
    with pytest.raises(ValidationFailed):
        services.code_verify(request, case=other, code_id=row.pk, code=code, now=now)
    services.code_verify(request, case=case, code_id=row.pk, code=code, now=now)
    assert client_verified(request, case, now=now) == "吴刚"
    assert client_verified(request, other, now=now) is None
    assert client_verified(request, case, now=now + dt.timedelta(minutes=31)) is None


def test_a_contact_of_another_client_cannot_be_picked(client, world, case, smtp):
    stranger = world.acme.contacts.get()
    response = _send(client, case, contact_id=stranger.pk)
    assert response.status_code == 302
    assert not VerificationCode.objects.exists() and not smtp.messages


def test_a_contact_with_only_a_phone_gets_a_text_message(client, world, caplog):
    case = new_case(world, client=world.acme, deadline=DUE, reason="内部")  # 周婷, phone only
    page = client.get(_verify_url(case)).content.decode()
    assert "周* 138****0001" in page
    with caplog.at_level(logging.INFO, logger="expedite.sms"):
        _send(client, case)
    sent = LogProvider.sent[-1]
    assert sent.phone == "13816220001" and sent.kind == "code"
    code = sent.variables["code"]
    assert len(code) == 6 and code.isdigit()
    # The log keeps the fact, not the number or the code.
    assert "to 138****0001" in caplog.text and "13816220001" not in caplog.text
    assert code not in caplog.text
    assert VerificationCode.objects.get().channel == "sms"
    # The outbox records it, the code masked, with the contact and the provider's id.
    row = OutboxMessage.objects.get(channel="sms", case=case)
    assert row.variables == {"code": "******"} and row.contact.name == "周婷"
    assert row.status == "sent" and row.provider_ref.startswith("log-")


def test_code_requests_are_rate_limited(client, world, case, smtp, clock):
    # Five per link in ten minutes (EXPEDITE_PORTAL_CODES_PER_10_MINUTES), a minute apart.
    clock.move_to(timezone.now().replace(minute=0, second=0) + dt.timedelta(hours=1))
    for _ in range(5):
        assert _send(client, case).status_code == 302
        clock.shift(61)
    response = _send(client, case)
    assert response.status_code == 429 and "获取验证码的次数过多" in response.content.decode()
    assert len(smtp.messages) == 5


def test_custody_confirmation_goes_through_the_portal_link(client, world, case, smtp):
    from django.urls import reverse

    from expedite.portal.services import link_revoke

    token = links.portal_token(case)
    link_revoke(actor=world.zhang, case=case, now=timezone.now())
    response = client.post(reverse("custody_portal_confirm", args=[token, 1]), {"code": "123456"})
    assert response.status_code == 404 and "此链接已失效" in response.content.decode()
