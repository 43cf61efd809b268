"""Loading a year's notice on the admin page, and what it changes everywhere else."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from expedite.audit.models import AuditEvent
from expedite.workdays.models import CalendarOverride, Schedule
from expedite.workdays.selectors import firm_calendar
from expedite.workdays.services import closure_add, schedule_set_hours
from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = pytest.mark.django_db
EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs" / "examples" / "calendar-2027.example.yaml"
).read_text(encoding="utf-8")


def test_an_administrator_loads_a_notice_and_2027_stops_being_provisional(client, world):
    assert firm_calendar().is_provisional(dt.date(2027, 2, 8))
    client.login(username="root", password=PASSWORD)
    response = client.post(reverse("admin:workdays_calendaroverride_add"), {"text": EXAMPLE})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarOverride.objects.get().year == 2027
    cal = firm_calendar()
    assert not cal.is_provisional(dt.date(2027, 2, 8))
    assert not cal.is_workday(dt.date(2027, 2, 8))
    assert AuditEvent.objects.filter(kind="calendar.override_loaded", payload__year=2027).exists()


def test_a_notice_with_a_conflict_is_refused_naming_the_line(client, world):
    client.login(username="root", password=PASSWORD)
    bad = (
        "year: 2027\nholidays:\n  - name: 春节\n    start: 2027-02-06\n"
        "makeup_workdays:\n  - date: 2027-02-06\n    for: 春节\n"
    )
    response = client.post(reverse("admin:workdays_calendaroverride_add"), {"text": bad})
    assert response.status_code == 200
    assert "第 6 行：2027-02-06 既是调休上班日又在第 3 行列为假日" in response.content.decode()
    assert not CalendarOverride.objects.exists()


def test_only_managers_and_administrators_may_change_the_calendar(world):
    from expedite.domain.errors import NotAllowed

    schedule = Schedule.objects.get(kind="firm")
    with pytest.raises(NotAllowed):
        closure_add(actor=world.zhang, schedule=schedule, date=dt.date(2026, 12, 4), reason="年会")
    closure_add(actor=world.chen, schedule=schedule, date=dt.date(2026, 12, 4), reason="年会")
    assert not firm_calendar().is_workday(dt.date(2026, 12, 4))


def test_changed_working_hours_apply_at_once(world):
    schedule = Schedule.objects.get(kind="firm")
    schedule_set_hours(actor=world.root, schedule=schedule, windows="08:30-12:00, 13:00-17:30")
    assert firm_calendar().hours.day_length == dt.timedelta(hours=8)
    assert AuditEvent.objects.filter(kind="calendar.hours_changed").exists()


def test_the_calendar_page_shows_the_year_and_the_provisional_badge(client, world):
    client.login(username="li", password=PASSWORD)
    html = client.get(reverse("calendar_year"), {"year": 2026}).content.decode()
    assert "2026 年工作日历" in html and "调休上班" in html and 'title="2026-02-14 春节"' in html
    html = client.get(reverse("calendar_year"), {"year": 2027}).content.decode()
    assert "暂定" in html and "尚未公布" in html and "已计入" in html
    assert re.search(r'class="day holiday( today)?" title="2027-02-08 春节"', html)
    assert re.search(r'class="day workday( today)?" title="2027-02-09"', html)


def test_case_pages_count_the_deadline_in_working_days(client, world):
    case = new_case(
        world,
        client=world.acme,
        service="business-change",
        deadline=dt.date(2027, 2, 12),
        reason="春节前",
    )
    client.login(username="zhang", password=PASSWORD)
    listing = client.get(reverse("case_list")).content.decode()
    assert "个工作日" in listing and "暂定" in listing
    detail = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "2027-02-12 周五 工作日［暂定" in detail


def test_a_year_loaded_by_mistake_can_be_withdrawn(client, world):
    client.login(username="root", password=PASSWORD)
    client.post(reverse("admin:workdays_calendaroverride_add"), {"text": EXAMPLE})
    override = CalendarOverride.objects.get()
    response = client.post(
        reverse("admin:workdays_calendaroverride_delete", args=[override.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert firm_calendar().is_provisional(dt.date(2027, 2, 8))
    assert AuditEvent.objects.filter(kind="calendar.override_removed", payload__year=2027).exists()


def test_a_closure_out_of_range_is_refused_on_the_form(client, world):
    from expedite.workdays.models import Closure

    client.login(username="root", password=PASSWORD)
    schedule = Schedule.objects.get(kind="firm")
    response = client.post(
        reverse("admin:workdays_closure_add"),
        {"schedule": schedule.pk, "date": "1999-01-01", "reason": "x"},
    )
    assert response.status_code == 200
    assert "日期超出日历支持范围" in response.content.decode()
    assert not Closure.objects.exists()
