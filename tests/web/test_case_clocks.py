"""The three clocks of a case, stored with it and read on the firm's calendar."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.cases.clocks import clocks_from_json, clocks_to_json, new_case_clocks, read_clocks
from expedite.domain.calendar import SHANGHAI
from expedite.domain.sla import ClockState
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(deadline=dt.date(2026, 12, 4), reason="项目签约"),
]


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_a_new_case_starts_the_firm_clock_and_no_other(case):
    clocks = clocks_from_json(case.clocks)
    assert clocks.firm.state == ClockState.RUNNING
    assert abs(clocks.firm.segments[0][0] - timezone.now()) < dt.timedelta(minutes=1)
    assert clocks.client_wait.state == ClockState.NOT_STARTED
    assert clocks.government.state == ClockState.NOT_STARTED


def test_waiting_on_the_client_moves_time_from_one_clock_to_the_other(db):
    clocks = new_case_clocks(firm_calendar()).start(at(2026, 11, 26, 9))
    clocks = clocks.hold_for_client(at(2026, 11, 26, 10)).client_responded(at(2026, 11, 27, 9))
    readings = {r.key: r for r in read_clocks(clocks_to_json(clocks), now=at(2026, 11, 27, 10))}
    assert readings["firm"].elapsed == dt.timedelta(hours=2)
    assert readings["client_wait"].elapsed == dt.timedelta(hours=6, minutes=30)
    assert readings["client_wait"].parts == (0, 6, 30)
    assert readings["government"].elapsed == dt.timedelta(0)


def test_the_case_page_and_the_api_show_the_clocks(client, world, case):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "本所办理时间" in html and "等待客户时间" in html and "政府法定办理时间" in html
    from expedite.accounts.services import api_token_create

    raw = api_token_create(user=world.zhang, name="t")[1]
    body = client.get(f"/api/v1/cases/{case.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [c["key"] for c in body["clocks"]] == ["firm", "client_wait", "government"]
    assert body["clocks"][0]["state"] == "running"
