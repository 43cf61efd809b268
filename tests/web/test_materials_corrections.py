"""The 一次性告知 reaches the client when the pre-review finishes, and reminders follow on each
item's cadence in working time until everything is sent again or the case leaves on_hold."""

import datetime as dt
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from expedite.accounts.models import StaffContact
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case
from expedite.domain.audit import AuditKind
from expedite.materials.corrections import correction_notice_send, correction_reminders
from expedite.materials.models import CorrectionMessage, PreReview
from expedite.materials.services import prereview_record, submission_add
from expedite.notify.delivery import deliver_due
from expedite.notify.links import short_target
from expedite.notify.models import OutboxMessage
from expedite.notify.sms import LogProvider
from expedite.portal.links import portal_path
from tests.conftest import PASSWORD
from tests.web import notify_helpers
from tests.web.materials_helpers import collecting_case, pdf_bytes, photo_bytes

# About particular working days: Thursday 2026-11-26 10:00, the weekend 28–29 November.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-26T10:00:00+08:00")]
smtp = notify_helpers.smtp  # fixture
SH = ZoneInfo("Asia/Shanghai")
THU, FRI, SAT, MON = (dt.date(2026, 11, d) for d in (26, 27, 28, 30))


def at(day: dt.date, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=SH)


def held(world, *, client="hengxin", verdicts=None, when=None):
    """A case whose pre-review at Thursday 10:30 found the resolution unsigned and the ID card
    missing: on hold, the notice sent to the client."""
    case = collecting_case(world, client=getattr(world, client))
    StaffContact.objects.create(user=world.zhang, phone="021-6288 0101")
    for item in ("license", "resolution"):
        submission_add(
            actor=world.zhang,
            case=case,
            item=item,
            name=f"{item}.pdf",
            content=pdf_bytes(item),
            now=at(THU, "10:00"),
        )
    verdicts = verdicts or {
        "license": {"verdict": "ok"},
        "resolution": {"verdict": "invalid", "reason": "缺少股东李四的签字"},
        "application": {"verdict": "ok"},
        "articles-amendment": {"verdict": "ok"},
        "id-copies": {"verdict": "missing"},
    }
    prereview_record(actor=world.zhang, case=case, verdicts=verdicts, now=when or at(THU, "10:30"))
    case.refresh_from_db()
    assert case.state == "on_hold"
    return case


def client_upload(case, item, when):
    content = photo_bytes() if item == "id-copies" else pdf_bytes(f"{item} 补正")
    name = "id.jpg" if item == "id-copies" else f"{item}.pdf"
    submission_add(case=case, item=item, name=name, content=content, now=when, contact="吴刚")


def reminders(case) -> list[tuple[int, dt.datetime, list[str]]]:
    rows = CorrectionMessage.objects.filter(review__case=case, number__gt=0).order_by("sent_at")
    return [(m.number, m.sent_at.astimezone(SH), m.items) for m in rows]


ONLY_ID_CARD = {
    "license": {"verdict": "ok"},
    "resolution": {"verdict": "ok"},
    "application": {"verdict": "ok"},
    "articles-amendment": {"verdict": "ok"},
    "id-copies": {"verdict": "missing"},
}
ONLY_SIGNATURE = {
    "license": {"verdict": "ok"},
    "resolution": {"verdict": "invalid", "reason": "缺少股东李四的签字"},
    "application": {"verdict": "ok"},
    "articles-amendment": {"verdict": "ok"},
    "id-copies": {"verdict": "ok"},
}


def test_the_notice_is_mailed_at_once_with_items_deadline_liaison_and_link(world, smtp):
    case = held(world)
    deliver_due(now=at(THU, "10:31"), worker="w1")
    (mail,) = smtp.inbox.messages
    assert mail["To"] == "wugang@hengxin.example"
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject.startswith("【材料补正一次性告知】") and "需补正 2 项材料" in subject
    body = mail.get_payload(decode=True).decode()
    assert "1. 股东会决议：不合格：缺少股东李四的签字" in body
    assert "2. 法定代表人身份证复印件：缺少，请提供" in body
    # EXPEDITE_CORRECTION_HOURS (7.5) of working time after 10:30 on Thursday.
    assert "请于 2026-11-27 10:30 前补齐。" in body
    assert "您的对接人：张敏，电话 021-6288 0101" in body
    assert "http://127.0.0.1:8000" + portal_path(case) in body
    event = AuditEvent.objects.get(kind=AuditKind.CORRECTION_NOTICE_SENT)
    assert event.case_id == case.pk and event.payload["items"] == ["resolution", "id-copies"]
    assert event.payload["emails"] == 1


def test_a_contact_with_only_a_phone_gets_a_text_message(world, django_capture_on_commit_callbacks):
    LogProvider.sent = []
    with django_capture_on_commit_callbacks(execute=True):
        case = held(world, client="acme")
    row = OutboxMessage.objects.get(channel="sms")
    deliver_due(now=row.next_attempt_at, worker="test")
    (sent,) = LogProvider.sent
    assert sent.phone == "13816220001" and sent.kind == "notice"
    assert sent.variables["count"] == "2" and sent.variables["date"] == "2026-11-27"
    assert sent.variables["ref"] == case.reference
    # The template's short address leads to the client's page.
    assert short_target(sent.variables["link"], now=row.created_at) == portal_path(case)
    row.refresh_from_db()
    assert row.status == "sent" and row.contact.name == "周婷" and "/s/" in row.body
    assert AuditEvent.objects.get(kind=AuditKind.CORRECTION_NOTICE_SENT).payload["texts"] == 1


def test_a_retried_review_or_notice_sends_no_second_copy(world, client):
    case = collecting_case(world, client=world.hengxin)
    submission_add(
        actor=world.zhang,
        case=case,
        item="license",
        name="l.pdf",
        content=pdf_bytes(),
        now=at(THU, "10:00"),
    )
    client.login(username="zhang", password=PASSWORD)
    form = {
        "verdict-license": "ok",
        "verdict-resolution": "missing",
        "verdict-application": "ok",
        "verdict-articles-amendment": "ok",
        "verdict-id-copies": "missing",
    }
    for _ in range(2):  # a double click, or the browser posting again
        client.post(reverse("material_review", args=[case.pk]), form)
    review = PreReview.objects.get(case=case)
    assert correction_notice_send(review=review, now=at(THU, "10:05")) is None
    assert OutboxMessage.objects.filter(key__startswith=f"correction:{case.pk}:").count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.CORRECTION_NOTICE_SENT).count() == 1
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="material-notice-sent"' in page and "已发送给客户（邮件 1 封，短信 0 条）" in page


def test_a_missing_document_is_reminded_each_working_day_never_at_night_or_at_the_weekend(
    world,
):
    case = held(world, verdicts=ONLY_ID_CARD)
    assert correction_reminders(now=at(THU, "17:59"))["sent"] == 0  # not a working day yet
    assert correction_reminders(now=at(THU, "20:00")) == {"sent": 0, "quiet": True}
    assert correction_reminders(now=at(FRI, "10:29"))["sent"] == 0
    assert correction_reminders(now=at(FRI, "10:30"))["sent"] == 1
    assert correction_reminders(now=at(FRI, "10:31"))["sent"] == 0  # run again: nothing new
    assert correction_reminders(now=at(SAT, "10:30")) == {"sent": 0, "quiet": True}
    assert correction_reminders(now=at(MON, "10:29"))["sent"] == 0
    assert correction_reminders(now=at(MON, "10:30"))["sent"] == 1
    assert reminders(case) == [
        (1, at(FRI, "10:30"), ["id-copies"]),
        (2, at(MON, "10:30"), ["id-copies"]),
    ]
    mails = OutboxMessage.objects.filter(subject__startswith="【材料补正提醒】").order_by("pk")
    assert [m.key for m in mails] == [
        f"correction:{case.pk}:1:id-copies:1:{case.client.contacts.get().pk}:email",
        f"correction:{case.pk}:1:id-copies:2:{case.client.contacts.get().pk}:email",
    ]
    body = mails.last().body
    assert "1. 法定代表人身份证复印件：缺少，请提供" in body
    assert "补正期限 2026-11-27 10:30 已过" in body and "张敏" in body
    events = AuditEvent.objects.filter(kind=AuditKind.CORRECTION_REMINDER_SENT).order_by("seq")
    assert [(e.case_id, e.payload["number"]) for e in events] == [(case.pk, 1), (case.pk, 2)]


def test_a_signature_is_reminded_every_half_day_up_to_the_daily_cap(world, settings):
    settings.EXPEDITE_CORRECTION_REMINDERS_PER_DAY = 1
    case = held(world, verdicts=ONLY_SIGNATURE)
    # 3.75 working hours from 10:30: 1.5 before lunch, 2.25 after 13:30.
    assert correction_reminders(now=at(THU, "15:44"))["sent"] == 0
    assert correction_reminders(now=at(THU, "15:45"))["sent"] == 1
    assert correction_reminders(now=at(FRI, "10:30"))["sent"] == 1
    assert correction_reminders(now=at(FRI, "15:45"))["sent"] == 0  # due, but one a day
    assert correction_reminders(now=at(MON, "09:00"))["sent"] == 1
    assert [n for n, _at, _items in reminders(case)] == [1, 2, 3]
    assert AuditEvent.objects.filter(kind=AuditKind.CORRECTION_REMINDER_SENT).count() == 3


def test_reminders_shrink_as_items_come_in_and_stop_once_all_are_resubmitted(world):
    case = held(world)
    client_upload(case, "resolution", at(THU, "11:00"))
    # The resolution's half-day cadence no longer applies: only the ID card is still open.
    assert correction_reminders(now=at(THU, "15:45"))["sent"] == 0
    assert correction_reminders(now=at(FRI, "10:30"))["sent"] == 1
    assert reminders(case) == [(1, at(FRI, "10:30"), ["id-copies"])]
    client_upload(case, "id-copies", at(FRI, "11:00"))
    case.refresh_from_db()
    assert case.state == "materials"
    assert correction_reminders(now=at(MON, "10:30"))["sent"] == 0
    assert len(reminders(case)) == 1


def test_no_reminder_once_the_case_leaves_on_hold_another_way(world):
    from expedite.cases.lifecycle import case_transition

    case = held(world, verdicts=ONLY_ID_CARD)
    case_transition(
        actor=world.chen, case=case, to="cancelled", now=at(THU, "11:00"), reason="客户撤回"
    )
    assert Case.objects.get(pk=case.pk).state == "cancelled"
    assert correction_reminders(now=at(FRI, "10:30"))["sent"] == 0
    assert reminders(case) == []


def test_the_case_page_lists_the_notice_and_each_reminder(world, client):
    case = held(world, verdicts=ONLY_ID_CARD)
    correction_reminders(now=at(FRI, "10:30"))
    client.login(username="zhang", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "11-26 10:30 已发送给客户（邮件 1 封，短信 0 条）" in page
    assert "11-27 10:30 第 1 次提醒（尚缺 1 项）" in page
