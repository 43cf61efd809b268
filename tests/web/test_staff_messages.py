"""Messages to staff are kept as phrases: a colleague reads them in their own language, not in
the language of whoever happened to act — in the app when shown, by e-mail when queued.

The English catalog may not translate every message yet, so an English reading is made visible
with a stand-in translator that removes the Chinese of the product's own words: what is left in
Chinese is then only what people entered (names, references, clients)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from expedite.accounts.models import StaffLanguage
from expedite.cases import words
from expedite.desk.digest import digest_create
from expedite.notify.models import OutboxMessage
from expedite.notify.said import in_chinese, written_in
from expedite.reviews.services import self_check
from tests.conftest import PASSWORD
from tests.web.delivery_helpers import add_result, case_in_review
from tests.web.test_handoffs import ok

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture
def english_catalog(monkeypatch):
    """Stand-in English: the product's own words lose their Chinese."""
    monkeypatch.setattr(words, "gettext", lambda text: HAN.sub("EN", text))


def _handed_over(world):
    """li (reading English) finishes the self-check: the supervisor zhao must review."""
    world.zhao.email = "zhao@firm.example"
    world.zhao.save(update_fields=["email"])
    case = case_in_review(world)
    add_result(world, case)
    with translation.override("en"):
        self_check(actor=world.li, case=case, results=ok(case), now=timezone.now())
    return case


def _message(user, channel: str) -> OutboxMessage:
    return OutboxMessage.objects.get(
        user=user, channel=channel, key__startswith="handoff:review:await:"
    )


def test_a_hand_off_by_an_english_reader_reaches_a_chinese_colleague_in_chinese(
    world, english_catalog
):
    case = _handed_over(world)
    inapp, mail = _message(world.zhao, "inapp"), _message(world.zhao, "email")
    for row in (inapp, mail):
        assert row.said["subject"]["code"] == "reviews.await.subject"
        assert row.subject.startswith("待您复核：") and case.reference in row.subject
    assert "第 1 轮经办人自查" in inapp.body and "第 1 轮经办人自查" in mail.body
    assert mail.body.startswith(inapp.body)  # the e-mail adds the address of the place
    # Shown to a Chinese reader, whatever language is active where it is rendered.
    with translation.override("zh-hans"):
        assert (inapp.shown_subject, inapp.shown_body) == (inapp.subject, inapp.body)


def test_an_english_colleague_gets_the_e_mail_in_english(world, english_catalog):
    StaffLanguage.objects.create(user=world.zhao, language="en")
    case = _handed_over(world)
    inapp, mail = _message(world.zhao, "inapp"), _message(world.zhao, "email")
    subject, body = written_in(mail.said, "en")
    assert mail.subject == subject and mail.body.startswith(body)
    # No Chinese left but the client's name.
    assert HAN.findall(mail.subject.replace(case.client.name, "")) == []
    assert HAN.findall(mail.body) == []
    # The outbox keeps the Chinese of the in-app message, for search and the record.
    assert (inapp.subject, inapp.body) == in_chinese(inapp.said)


def _page(client, user, language: str | None) -> str:
    assert client.login(username=user.username, password=PASSWORD)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("notification_list")).content.decode()


def test_an_english_reader_sees_the_messages_in_english(client, world, english_catalog):
    case = _handed_over(world)
    inapp = _message(world.zhao, "inapp")
    page = _page(client, world.zhao, "en")
    with translation.override("en"):
        subject, body = inapp.shown_subject, inapp.shown_body
    assert subject in page and body.split("\n")[0] in page
    assert inapp.subject not in page
    assert HAN.findall(subject.replace(case.client.name, "")) == [] == HAN.findall(body)


def test_the_stored_preference_shows_english_without_the_cookie(client, world, english_catalog):
    _handed_over(world)
    StaffLanguage.objects.create(user=world.zhao, language="en")
    inapp = _message(world.zhao, "inapp")
    page = _page(client, world.zhao, None)
    with translation.override("en"):
        assert inapp.shown_subject in page
    assert inapp.subject not in page


def test_a_chinese_reader_sees_chinese_whoever_acted(client, world, english_catalog):
    _handed_over(world)
    page = _page(client, world.zhao, "zh-hans")
    assert _message(world.zhao, "inapp").subject in page


def test_messages_stored_as_text_still_show_as_they_were(client, world, english_catalog):
    now = timezone.now()
    OutboxMessage.objects.create(
        key="old:1",
        channel="inapp",
        user=world.zhao,
        subject="待您复核：旧消息",
        body="以前存下的文字",
        next_attempt_at=now,
        created_at=now,
    )
    page = _page(client, world.zhao, "en")
    assert "待您复核：旧消息" in page and "以前存下的文字" in page


def test_the_digest_is_read_in_each_readers_language(client, world, english_catalog):
    _handed_over(world)
    StaffLanguage.objects.create(user=world.zhao, language="en")
    with translation.override("zh-hans"):
        assert digest_create(world.zhao, now=timezone.now())
    digest = OutboxMessage.objects.get(key__startswith="digest:", channel="inapp", user=world.zhao)
    mail = OutboxMessage.objects.get(key__startswith="digest:", channel="email", user=world.zhao)
    assert "早间待办" in digest.subject and "交到我手上、尚未处理（1）" in digest.body
    # The handed-over message is listed in the reader's language too.
    assert (mail.subject, mail.body) == written_in(digest.said, "en")
    assert "早间待办" not in mail.subject and "交到我手上" not in mail.body
    assert "待您复核" not in mail.body
    page = _page(client, world.zhao, "en")
    assert "交到我手上" not in page and "早间待办" not in page
