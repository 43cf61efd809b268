"""The lists a manager takes into a spreadsheet — cases, clients, custody items, approvals —
export what the page shows, with the page's filters, in the reader's language."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from expedite.approvals.services import approval_request
from expedite.cases import spreadsheet
from expedite.cases.models import Client
from expedite.custody.services import check_in
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import moved, new_case, triaged

pytestmark = pytest.mark.django_db


def signed_in(client, username, language="zh-hans"):
    client.login(username=username, password=PASSWORD)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


def sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_case_list_exports_with_its_search_and_state(client, world):
    kept = new_case(world, reason="签约前必须完成变更")
    other = new_case(world, client=world.hengxin, reason="另一件事")
    browser = signed_in(client, "zhang")
    page = browser.get(reverse("case_list"), {"q": "签约前"}).content.decode()
    assert f"{reverse('case_list_export')}?q=" in page

    rows = sheet(browser.get(reverse("case_list_export"), {"q": "签约前"}))
    assert rows[0][:4] == ["编号", "客户", "统一社会信用代码", "服务事项"]
    assert [r[0] for r in rows[1:]] == [kept.reference]
    assert rows[1][4] == "草稿"
    assert rows[1][6].date() == kept.requested_deadline
    everything = sheet(browser.get(reverse("case_list_export")))
    assert {r[0] for r in everything[1:]} == {kept.reference, other.reference}
    drafts = sheet(browser.get(reverse("case_list_export"), {"state": "closed"}))
    assert drafts[1:] == []


def test_the_client_list_exports_in_english_for_an_english_reader(client, world):
    world.acme.notes = "=cmd|' /C calc'!A0"
    world.acme.save(update_fields=["notes"])
    browser = signed_in(client, "chen", language="en")
    response = browser.get(reverse("client_list_export"), {"q": "鲜达"})
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = sheet(response)
    assert rows[0][0] == "Company name"
    assert len(rows) == 2
    name, uscc, tier, contact, phone, *_rest, notes = rows[1]
    assert (name, uscc, tier, contact, phone) == (
        world.acme.name,
        world.acme.uscc,
        "Key account",
        "周婷",
        "13816220001",
    )
    assert notes == "=cmd|' /C calc'!A0"
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.cell(row=2, column=9).data_type == "s"


def test_custody_items_export_as_the_list_shows_them(client, world):
    case = new_case(world)
    check_in(
        actor=world.zhang,
        client=world.acme,
        case=case,
        kind="company_seal",
        purpose="办理变更",
        expected_return=firm_calendar().add_workdays(world.today, 2),
        now=timezone.now(),
    )
    rows = sheet(signed_in(client, "zhao").get(reverse("custody_list_export")))
    assert len(rows) == 2
    assert rows[1][0] == world.acme.name
    assert rows[1][3] == case.reference


def test_approvals_export_what_waits_for_me_and_what_i_asked(client, world):
    case = moved(
        world,
        triaged(
            world,
            new_case(world, service="vat-credit-refund", days=40),
            consequence="lost_business",
        ),
        "quoted",
        "accepted",
    )
    approval_request(
        actor=world.li,
        case=case,
        action="refund",
        amount=10_000,
        justification="退税款月底到账",
        now=timezone.now(),
    )
    mine = sheet(signed_in(client, "li").get(reverse("approval_inbox_export")))
    assert [(r[0], r[1]) for r in mine[1:]] == [("我提交的", case.reference)]
    client.logout()
    theirs = sheet(signed_in(client, "chen").get(reverse("approval_inbox_export")))
    assert [(r[0], r[1], r[5]) for r in theirs[1:]] == [("待我审批", case.reference, 10_000)]


def test_people_without_a_role_get_nothing(client, world):
    client.login(username="outsider", password=PASSWORD)
    for name in ("case_list_export", "client_list_export", "custody_list_export"):
        assert client.get(reverse(name)).status_code == 403, name


def test_a_long_list_stops_at_the_limit_and_says_so(client, world, monkeypatch):
    monkeypatch.setattr(spreadsheet, "EXPORT_ROW_LIMIT", 1)
    rows = sheet(signed_in(client, "zhang").get(reverse("client_list_export")))
    assert Client.objects.count() == 2
    assert len(rows) == 3
    assert "仅导出前" in rows[2][0]
