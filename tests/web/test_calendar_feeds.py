"""Calendar feeds: a secret, revocable address per person and per case, read by calendar apps;
parsed here with icalendar, as they would."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from expedite.audit.models import AuditEvent
from expedite.custody.services import check_in
from expedite.domain.audit import AuditKind
from expedite.feeds import selectors
from expedite.feeds.ics import calendar_bytes
from expedite.feeds.models import CalendarFeed
from expedite.feeds.services import feed_renew, feed_stop, feed_token
from expedite.work.models import StepRun
from expedite.work.team import team_assign
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import new_case
from tests.web.test_work import accept, open_case

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def running(world, reason="银行贷款需要营业执照"):
    case = accept(world, open_case(world, reason=reason, days=40))
    team_assign(
        actor=world.chen,
        case=case,
        choices={"liaison": world.zhang.pk, "process": world.li.pk, "risk": world.wang.pk},
    )
    return case


def read(client, feed) -> Calendar:
    response = client.get(reverse("calendar_feed", args=[feed_token(feed)]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_a_persons_feed_holds_their_deadlines_and_their_steps_in_beijing_time(client, world):
    case = running(world)
    feed = feed_renew(actor=world.li)
    cal = read(client, feed)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    found = events(cal)
    deadline = found[f"case-{case.pk}-deadline@expedite"]
    assert deadline.decoded("DTSTART") == case.requested_deadline  # an all-day event
    assert case.reference in str(deadline["SUMMARY"])
    mine = StepRun.objects.filter(case=case, role="process", finished_at__isnull=True)
    assert mine.exists()
    for step in mine:
        event = found[f"step-{step.pk}@expedite"]
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=8)
        assert start == step.planned_start.replace(microsecond=0)
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    others = StepRun.objects.filter(case=case, role="risk")
    assert not any(f"step-{s.pk}@expedite" in found for s in others)
    # Read again: the same events under the same UIDs, so a calendar updates, never doubles.
    assert set(events(read(client, feed))) == set(found)


def test_the_outsider_of_a_case_does_not_see_it(client, world, make_user):
    from expedite.domain.roles import Role

    running(world)
    someone = make_user("li9", Role.PROCESS)
    cal = read(client, feed_renew(actor=someone))
    assert list(cal.walk("VEVENT")) == []


def test_a_case_feed_holds_its_deadline_steps_and_the_items_due_back(client, world):
    case = running(world)
    due = firm_calendar().add_workdays(world.today, 3)
    check_in(
        actor=world.zhang,
        client=case.client,
        case=case,
        kind="company_seal",
        purpose="办理变更",
        expected_return=due,
        now=timezone.now(),
    )
    client.login(username="zhao", password=PASSWORD)
    assert client.get(reverse("case_calendar", args=[case.pk])).status_code == 200
    client.post(reverse("case_calendar_renew", args=[case.pk]))
    page = client.get(reverse("case_calendar", args=[case.pk])).content.decode()
    assert "/feeds/" in page
    feed = CalendarFeed.objects.get(case=case, revoked_at__isnull=True)
    client.logout()
    found = events(read(client, feed))
    assert f"case-{case.pk}-deadline@expedite" in found
    assert any(uid.startswith("step-") for uid in found)
    (ret,) = [e for uid, e in found.items() if uid.startswith("custody-")]
    (handover,) = [e for uid, e in found.items() if uid.startswith("handover-")]
    assert "客户交来" in str(handover["DESCRIPTION"])
    assert ret.decoded("DTSTART") == due
    assert "公章" in str(ret["SUMMARY"])


def test_renewing_or_stopping_kills_the_old_address(client, world):
    old = feed_renew(actor=world.zhang)
    new = feed_renew(actor=world.zhang)
    assert client.get(reverse("calendar_feed", args=[feed_token(old)])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[feed_token(new)])).status_code == 200
    live = CalendarFeed.objects.filter(user=world.zhang, revoked_at__isnull=True)
    assert list(live) == [new]
    feed_stop(actor=world.zhang)
    assert client.get(reverse("calendar_feed", args=[feed_token(new)])).status_code == 404
    kinds = list(AuditEvent.objects.filter(kind__startswith="feed.").values_list("kind", flat=True))
    assert kinds == [AuditKind.CALENDAR_FEED_CREATED] * 2 + [AuditKind.CALENDAR_FEED_STOPPED]


@pytest.mark.parametrize("leaves", ["deactivated", "loses_roles"])
def test_an_address_stops_when_its_owner_may_no_longer_see_cases(client, world, leaves):
    """Someone who left the firm (or lost every role) keeps nothing from it in their calendar,
    their own or the case's they subscribed to."""
    case = running(world)
    mine = feed_renew(actor=world.zhang)
    the_case = feed_renew(actor=world.zhang, case=case)
    others = feed_renew(actor=world.li)
    if leaves == "deactivated":
        world.zhang.is_active = False
        world.zhang.save(update_fields=["is_active"])
    else:
        world.zhang.groups.clear()
    for feed in (mine, the_case):
        assert client.get(reverse("calendar_feed", args=[feed_token(feed)])).status_code == 404
    read(client, others)


@pytest.mark.parametrize(
    "token", ["1-" + "0" * 40, "x-y", "", "99999999999999999999-" + "a" * 40, "1-../../etc"]
)
def test_forged_addresses_find_nothing(client, world, token):
    feed_renew(actor=world.zhang)
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_hostile_text_does_not_break_the_calendar(client, world):
    case = new_case(world, reason="第一行\n第二行；逗号,分号;反斜杠\\ 结束")
    case.client.name = "恶意\x07公司,;\\"
    case.client.save(update_fields=["name"])
    from expedite.work.models import Assignment

    Assignment.objects.create(case=case, role="liaison", user=world.zhang, reason="测试")
    cal = read(client, feed_renew(actor=world.zhang))
    (event,) = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(f"case-{case.pk}")]
    description = str(event["DESCRIPTION"]).splitlines()
    assert description[:2] == case.reason.splitlines()
    assert description[2:] == [
        f"加急单 {case.reference}",
        f"{settings.EXPEDITE_PUBLIC_URL}/cases/{case.pk}/",
    ]
    assert "恶意公司,;\\" in str(event["SUMMARY"])


def test_the_feed_is_bounded(world, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_EVENTS", 1)
    running(world)
    assert len(selectors.person_events(world.zhang, today=world.today, tz=SHANGHAI)) == 1


def test_the_account_page_links_the_calendar_and_makes_an_address(client, world):
    client.login(username="zhang", password=PASSWORD)
    assert reverse("my_calendar") in client.get(reverse("api_tokens")).content.decode()
    assert "还没有订阅地址" in client.get(reverse("my_calendar")).content.decode()
    client.post(reverse("my_calendar_renew"))
    page = client.get(reverse("my_calendar")).content.decode()
    assert "/feeds/" in page and ".ics" in page


def test_the_address_never_reaches_a_log(world):
    from expedite.domain.redact import redact

    token = feed_token(feed_renew(actor=world.zhang))
    line = f'"GET /feeds/{token}.ics HTTP/1.1" 200'
    assert redact(line) == '"GET /feeds/….ics HTTP/1.1" 200'


def test_a_step_planned_nine_to_twelve_in_beijing_is_one_to_four_utc(client, world):
    case = running(world)
    step = StepRun.objects.filter(case=case, role="process").order_by("pk").first()
    day = world.today + dt.timedelta(days=5)
    step.planned_start = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI)
    step.planned_finish = dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)
    step.save(update_fields=["planned_start", "planned_finish"])
    response = client.get(reverse("calendar_feed", args=[feed_token(feed_renew(actor=world.li))]))
    assert f"DTSTART;TZID=Asia/Shanghai:{day:%Y%m%d}T090000" in response.content.decode()
    event = events(Calendar.from_ical(response.content))[f"step-{step.pk}@expedite"]
    assert event.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime.combine(
        day, dt.time(1), tzinfo=dt.UTC
    )
    assert event.decoded("DTEND").astimezone(dt.UTC) == dt.datetime.combine(
        day, dt.time(4), tzinfo=dt.UTC
    )


def test_handovers_reach_the_people_who_took_part_and_nobody_else(client, world):
    case = running(world)
    move = check_in(
        actor=world.zhang,
        client=case.client,
        case=case,
        kind="finance_seal",
        purpose="银行开户",
        expected_return=firm_calendar().add_workdays(world.today, 14),
        now=timezone.now(),
    )
    uid = f"handover-{move.pk}@expedite"
    assert uid in events(read(client, feed_renew(actor=world.zhang)))
    assert uid not in events(read(client, feed_renew(actor=world.li)))


def test_control_characters_and_line_breaks_cannot_forge_calendar_lines():
    hostile = "名称\x00\r\nEND:VEVENT\r\nBEGIN:VEVENT,;\\"
    event = selectors.Event(
        uid="x-1",
        summary=hostile,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 3),
        description=hostile,
        url="",
    )
    stamp = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    cal = Calendar.from_ical(calendar_bytes([event], name=hostile, stamp=stamp))
    (parsed,) = cal.walk("VEVENT")
    assert str(parsed["SUMMARY"]) == "名称 END:VEVENT BEGIN:VEVENT,;\\"
    assert str(cal["X-WR-CALNAME"]) == "名称 END:VEVENT BEGIN:VEVENT,;\\"
    assert "\x00" not in str(parsed["DESCRIPTION"])


def test_only_staff_who_may_see_cases_get_a_case_calendar(client, world):
    case = running(world)
    assert client.get(reverse("case_calendar", args=[case.pk])).status_code == 302  # sign in
    client.login(username="outsider", password=PASSWORD)
    assert client.get(reverse("case_calendar", args=[case.pk])).status_code in (403, 404)
    client.post(reverse("case_calendar_renew", args=[case.pk]))
    client.post(reverse("my_calendar_renew"))
    assert not CalendarFeed.objects.exists()


def test_a_feed_costs_the_same_queries_however_many_cases(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    running(world)
    feed = feed_renew(actor=world.li)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            read(client, feed)
        return len(ctx.captured_queries)

    few = queries()
    running(world, reason="第二件")
    running(world, reason="第三件")
    assert len(events(read(client, feed))) > 3
    assert queries() == few
