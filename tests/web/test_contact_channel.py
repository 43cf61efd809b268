"""Each client contact chooses how it hears from the firm (短信, 电子邮件, both); every message
to it records the channel that carried it and whether it arrived, and the case page shows it."""

import pytest
from django.urls import reverse

from expedite.audit.models import AuditEvent
from expedite.cases.models import ClientContact
from expedite.domain.sms import SmsKind
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage
from expedite.notify.notices import tell_client
from expedite.notify.receipts import receipts_record
from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = pytest.mark.django_db

VALUES = {"service": "营业执照变更", "ref": "JJ-2026-00001"}


def both_ways(world):
    """恒信's 吴刚 with a mobile number besides his e-mail address."""
    contact = world.hengxin.contacts.get()
    contact.phone = "13900007777"
    contact.save(update_fields=["phone"])
    return contact


def tell(case, key: str):
    return tell_client(
        key=key,
        case=case,
        now=case.created_at,
        subject="结果待确认",
        body="请查看",
        sms=(SmsKind.DELIVERY, VALUES),
    )


def test_both_is_the_default_and_uses_whichever_the_contact_has(world):
    contact = both_ways(world)
    case = new_case(world, client=world.hengxin, days=20, reason="渠道")
    told = tell(case, "t:both")
    assert (told.emails, told.texts) == (1, 1) and contact.channel == "both"


@pytest.mark.parametrize(("channel", "emails", "texts"), [("sms", 0, 1), ("email", 1, 0)])
def test_a_contact_that_chose_one_channel_hears_only_on_it(client, world, channel, emails, texts):
    contact = both_ways(world)
    client.login(username="zhang", password=PASSWORD)
    url = reverse("client_contact_language", args=[world.hengxin.pk])
    response = client.post(url, {"contact": contact.pk, "language": "zh-hans", "channel": channel})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.channel == channel
    event = AuditEvent.objects.get(kind="client.contact_channel_set")
    assert event.payload["to"] == channel and event.payload["from"] == "both"
    case = new_case(world, client=world.hengxin, days=20, reason="渠道")
    told = tell(case, f"t:{channel}")
    assert (told.emails, told.texts) == (emails, texts)


def test_an_unknown_channel_is_refused_and_changes_nothing(client, world):
    contact = both_ways(world)
    client.login(username="zhang", password=PASSWORD)
    url = reverse("client_contact_language", args=[world.hengxin.pk])
    response = client.post(
        url, {"contact": contact.pk, "language": "zh-hans", "channel": "pigeon"}, follow=True
    )
    assert "请选择通知方式" in response.content.decode()
    assert ClientContact.objects.get(pk=contact.pk).channel == "both"
    assert not AuditEvent.objects.filter(kind="client.contact_channel_set").exists()


def test_the_case_page_shows_each_message_with_its_channel_and_receipt(client, world):
    both_ways(world)
    case = new_case(world, client=world.hengxin, days=20, reason="渠道")
    tell(case, "t:panel")
    text = OutboxMessage.objects.get(channel="sms", case=case)
    deliver_due(now=text.next_attempt_at, worker="test")
    text.refresh_from_db()
    receipts_record(
        "tencent",
        [{"sid": text.provider_ref, "report_status": "SUCCESS", "mobile": "13900007777"}],
        now=text.next_attempt_at,
    )
    client.login(username="zhang", password=PASSWORD)
    panel = client.get(reverse("case_panel", args=[case.pk, "client-messages"]))
    html = panel.content.decode()
    assert panel.status_code == 200 and "给客户的消息" in html
    assert html.count("吴刚") == 2 and "短信" in html and "电子邮件" in html
    assert "已送达" in html  # the text message's receipt
    assert "已发送" in html  # the e-mail: sent, no receipt


def test_a_channel_the_contact_cannot_be_reached_by_is_refused(client, world):
    contact = world.acme.contacts.get()  # 周婷: a mobile number, no e-mail
    client.login(username="zhang", password=PASSWORD)
    url = reverse("client_contact_language", args=[world.acme.pk])
    response = client.post(
        url, {"contact": contact.pk, "language": "en", "channel": "email"}, follow=True
    )
    assert "没有电子邮箱，不能只用电子邮件通知" in response.content.decode()
    contact.refresh_from_db()
    # Neither the channel nor the language asked for with it changed.
    assert (contact.channel, contact.language) == ("both", "zh-hans")
