"""The staff side: 我的消息 with the unread count, the morning digest, the outbox page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from expedite.cases.models import Case
from expedite.custody.selectors import staff_users
from expedite.desk.digest import digests_due
from expedite.notify.delivery import deliver_due
from expedite.notify.models import OutboxMessage
from expedite.notify.services import enqueue
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def note(user, key, now, subject="进度提醒"):
    return enqueue(key=key, channel="inapp", user=user, subject=subject, body="正文", now=now)[0]


def test_my_messages_newest_first_with_the_unread_count_and_mark_read(client, world):
    now = timezone.now()
    old = note(world.zhang, "n:1", now - dt.timedelta(hours=1), "较早的提醒")
    new = note(world.zhang, "n:2", now, "最新的提醒")
    note(world.li, "n:3", now, "别人的提醒")
    login(client, world.zhang)
    page = client.get("/notifications/").content.decode()
    assert page.index("最新的提醒") < page.index("较早的提醒")
    assert "别人的提醒" not in page
    assert 'aria-label="未读">2</span>' in page

    client.post("/notifications/read/", {"pk": new.pk})
    new.refresh_from_db()
    assert new.read_at is not None
    assert 'aria-label="未读">1</span>' in client.get("/notifications/").content.decode()

    # Someone else's message cannot be marked read by me.
    other = OutboxMessage.objects.get(key="n:3")
    client.post("/notifications/read/", {"pk": other.pk})
    other.refresh_from_db()
    assert other.read_at is None

    client.post("/notifications/read/")
    old.refresh_from_db()
    assert old.read_at is not None
    assert 'aria-label="未读"' not in client.get("/notifications/").content.decode()


def _workday_at(hour: int, minute: int = 0) -> dt.datetime:
    cal = firm_calendar()
    day = timezone.localdate()
    while not cal.is_workday(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=cal.tz)


def test_one_digest_per_person_and_working_day_inapp_and_by_mail(world, settings):
    settings.EXPEDITE_DIGEST_TIME = dt.time(8, 30)
    world.zhang.email = "zhang@firm.example"
    world.zhang.save()
    case = new_case(
        world,
        client=world.hengxin,
        service="business-change",
        deadline=firm_calendar().add_workdays(timezone.localdate(), 10),
        reason="变更法定代表人",
    )
    morning = _workday_at(8, 29)
    # Test set-up, not a workflow: a running case of zhang's due on the digest's day.
    Case.objects.filter(pk=case.pk).update(state="in_progress", requested_deadline=morning.date())
    assert digests_due(now=morning) == {"created": 0}

    first = digests_due(now=morning + dt.timedelta(minutes=1))
    assert first["created"] == staff_users().count() >= 6
    again = digests_due(now=morning + dt.timedelta(minutes=30))
    assert again == {"created": 0}
    day = morning.date().isoformat()
    mine = OutboxMessage.objects.get(key=f"digest:{world.zhang.pk}:{day}")
    assert mine.channel == "inapp" and "早间待办" in mine.subject
    assert OutboxMessage.objects.filter(key=f"digest:{world.zhang.pk}:{day}:email").exists()
    # li has no e-mail address: in-app only.
    assert not OutboxMessage.objects.filter(key=f"digest:{world.li.pk}:{day}:email").exists()
    assert OutboxMessage.objects.filter(key__startswith="digest:").count() == first["created"] + 1
    assert "今日到期" in mine.body and case.reference in mine.body
    assert case.reference not in OutboxMessage.objects.get(key=f"digest:{world.li.pk}:{day}").body
    # The e-mail goes out through the outbox like any other message.
    assert (
        deliver_due(now=morning + dt.timedelta(minutes=2), worker="w")["sent"]
        == first["created"] + 1
    )


def test_no_digest_on_a_day_off(world):
    cal = firm_calendar()
    day = timezone.localdate()
    while cal.is_workday(day):
        day += dt.timedelta(days=1)
    assert digests_due(now=dt.datetime.combine(day, dt.time(10), tzinfo=cal.tz)) == {"created": 0}
    assert not OutboxMessage.objects.exists()


def test_the_outbox_page_is_for_administrators_and_shows_the_last_error(client, world, settings):
    settings.EXPEDITE_WECOM_WEBHOOK_URL = ""
    now = timezone.now()
    enqueue(key="w:9", channel="wecom", subject="风险预警", body="b", now=now)
    deliver_due(now=now, worker="w1")
    login(client, world.zhang)
    assert client.get("/ops/outbox/").status_code == 403
    login(client, world.root)
    page = client.get("/ops/outbox/").content.decode()
    assert "风险预警" in page and "EXPEDITE_WECOM_WEBHOOK_URL is not set" in page


def test_the_outbox_command_reports_and_sends(world, capsys):
    now = timezone.now()
    note(world.zhang, "n:cmd", now)
    call_command("outbox", "status")
    assert "pending 1" in capsys.readouterr().out
    call_command("outbox", "send")
    assert '"sent": 1' in capsys.readouterr().out
    assert OutboxMessage.objects.get().status == "sent"
