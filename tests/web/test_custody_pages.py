"""Custody on the case page, the /custody/ list, the client's portal page, the API, the demo."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.custody import selectors, services
from expedite.custody.models import CustodyItem, CustodyMovement
from expedite.domain.calendar import SHANGHAI
from expedite.portal.links import portal_path
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import new_case
from tests.web import custody_helpers
from tests.web.custody_helpers import due, next_weekend_day

pytestmark = [pytest.mark.django_db, custody_helpers.CASE]
smtp = custody_helpers.smtp  # fixture


def _check_in(world, case, kind="company_seal", **kw):
    kw.setdefault("expected_return", due())
    return services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind=kind,
        purpose="盖章",
        now=kw.pop("now", timezone.now()),
        **kw,
    )


def test_staff_check_in_from_the_case_page_and_the_client_confirms_on_the_portal(
    client, world, case, smtp
):
    client.login(username="li", password=PASSWORD)
    response = client.post(
        reverse("custody_check_in", args=[case.pk]),
        {
            "kind": "license_original",
            "label": "",
            "purpose": "变更登记换照",
            "expected_return": due().isoformat(),
        },
    )
    assert response.status_code == 302
    m = CustodyMovement.objects.get()
    assert m.to_user == world.li and m.recorded_by == world.li
    code = smtp.last_code()
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "营业执照正本" in html and "待确认" in html
    assert code not in html  # the code is shown nowhere in the staff UI
    client.logout()
    portal = portal_path(case)
    html = client.get(portal).content.decode()
    assert "待您确认的交接" in html and "营业执照正本" in html
    url = reverse("custody_portal_confirm", args=[portal.split("/")[2], m.pk])
    response = client.post(url, {"code": code}, follow=True)
    assert "已确认交接" in response.content.decode()
    m.refresh_from_db()
    assert m.confirmed_by_client == "吴刚"
    assert "待您确认的交接" not in client.get(portal).content.decode()


def test_a_wrong_code_on_the_portal_is_told_and_counted(client, world, case, smtp):
    m = _check_in(world, case)
    token = portal_path(case).split("/")[2]
    wrong = "000000" if smtp.last_code() != "000000" else "111111"
    response = client.post(
        reverse("custody_portal_confirm", args=[token, m.pk]), {"code": wrong}, follow=True
    )
    assert "确认码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(kind="custody.code_failed").count() == 1
    m.refresh_from_db()
    assert m.confirmed_at is None


def test_another_clients_portal_link_cannot_confirm(client, world, case, smtp):

    m = _check_in(world, case)
    other = new_case(
        world, client=world.acme, service="business-change", deadline=due(10), reason="其他客户"
    )
    token = portal_path(other).split("/")[2]
    response = client.post(
        reverse("custody_portal_confirm", args=[token, m.pk]), {"code": smtp.last_code()}
    )
    assert response.status_code == 404
    assert "待您确认的交接" not in client.get(portal_path(other)).content.decode()
    m.refresh_from_db()
    assert m.confirmed_at is None


def test_the_list_shows_overdue_first_and_the_receiver_confirms_there(client, world, case, smtp):
    cal_due = due()
    late = _check_in(world, case, kind="tax_ukey")
    # Make it overdue by having it checked in long ago, due back yesterday's working day.
    yesterday = firm_calendar().add_workdays(timezone.localdate(), -1)
    CustodyItem.objects.filter(pk=late.item_id).update(expected_return=yesterday)
    _check_in(world, case, kind="company_seal", expected_return=cal_due)
    moved = services.transfer(
        actor=world.zhang,
        item=late.item,
        to_user=world.li,
        purpose="去税务局",
        now=timezone.now(),
    )
    client.login(username="li", password=PASSWORD)
    html = client.get(reverse("custody_list")).content.decode()
    table = html[html.index("<tbody>") :]
    assert table.index("税务UKey") < table.index("公章") and "逾期未还" in table
    assert "待您确认的内部转交" in html
    response = client.post(reverse("custody_confirm", args=[moved.pk]), {"back": "list"})
    assert response.status_code == 302 and response["Location"] == reverse("custody_list")
    moved.refresh_from_db()
    assert moved.confirmed_by == world.li


def test_the_page_shows_service_errors_and_writes_nothing(client, world, case, smtp):
    client.login(username="zhang", password=PASSWORD)
    saturday = next_weekend_day()
    response = client.post(
        reverse("custody_check_in", args=[case.pk]),
        {"kind": "company_seal", "purpose": "盖章", "expected_return": saturday.isoformat()},
        follow=True,
    )
    suggested = firm_calendar().next_workday(saturday).isoformat()
    assert "请选择工作日" in response.content.decode() and suggested in response.content.decode()
    assert not CustodyItem.objects.exists()


def test_an_outsider_sees_nothing_and_does_nothing(client, world, case, smtp):
    m = _check_in(world, case)
    client.login(username="outsider", password=PASSWORD)
    assert client.get(reverse("custody_list")).status_code == 403
    assert client.post(reverse("custody_confirm", args=[m.pk])).status_code == 403
    assert client.post(reverse("custody_resend", args=[m.pk])).status_code == 403
    data = {"to_user": world.li.pk, "purpose": "x"}
    assert client.post(reverse("custody_transfer", args=[m.item_id]), data).status_code == 403
    assert client.get(f"/api/v1/cases/{case.pk}/custody").status_code == 403
    assert CustodyMovement.objects.count() == 1
    with pytest.raises(Exception, match="权限"):
        selectors.items_for_case(user=world.outsider, case=case)


def test_overdue_and_unconfirmed_selectors_across_the_national_day_holiday(world, case, smtp):
    before = dt.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI)
    m = _check_in(world, case, kind="tax_ukey", expected_return=dt.date(2026, 9, 30), now=before)
    _check_in(world, case, kind="company_seal", expected_return=dt.date(2026, 10, 9), now=before)
    during = dt.datetime(2026, 10, 3, 11, tzinfo=SHANGHAI)
    assert [i.kind for i in selectors.overdue_items(during)] == ["tax_ukey"]
    assert not selectors.overdue_items(dt.datetime(2026, 9, 30, 17, tzinfo=SHANGHAI)).exists()
    friday = dt.datetime(2026, 10, 9, 17, 59, tzinfo=SHANGHAI)  # 调休上班 Saturday-for-Friday
    assert [i.kind for i in selectors.overdue_items(friday)] == ["tax_ukey"]
    saturday = dt.datetime(2026, 10, 10, 12, tzinfo=SHANGHAI)
    assert {i.kind for i in selectors.overdue_items(saturday)} == {"tax_ukey", "company_seal"}
    assert list(selectors.unconfirmed_movements()) == list(
        CustodyMovement.objects.order_by("at", "pk")
    )
    services.check_out(actor=world.zhang, item=m.item, purpose="归还", now=during)
    assert [i.kind for i in selectors.overdue_items(saturday)] == ["company_seal"]


def test_the_api_lists_checks_in_transfers_confirms_and_returns(client, world, case, smtp):
    client.login(username="zhang", password=PASSWORD)
    base = f"/api/v1/cases/{case.pk}/custody"
    r = client.post(
        f"{base}/check-in",
        {"kind": "tax_ukey", "purpose": "申报", "expected_return": due().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["confirmed"] is False
    bad = client.post(
        f"{base}/check-in",
        {"kind": "tax_ukey", "purpose": "申报", "expected_return": "2026-12-26"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "expected_return"
    (item,) = client.get(base).json()
    assert item["holder"] == "张敏" and item["overdue"] is False
    r = client.post(
        f"{base}/items/{item['id']}/transfer",
        {"to_user": world.li.pk, "purpose": "去税务局"},
        content_type="application/json",
    )
    assert r.status_code == 201
    moved = r.json()["id"]
    assert client.post(f"{base}/movements/{moved}/confirm").status_code == 403
    client.logout()
    client.login(username="li", password=PASSWORD)
    assert client.post(f"{base}/movements/{moved}/confirm").json()["confirmed_by"] == "li"
    r = client.post(
        f"{base}/items/{item['id']}/check-out", {"purpose": "归还"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["receiver"] == "吴刚"
    again = client.post(
        f"{base}/items/{item['id']}/check-out", {"purpose": "归还"}, content_type="application/json"
    )
    assert again.status_code == 422 and "不能重复归还" in again.json()["detail"][0]["message"]
    (item,) = client.get(base).json()
    assert item["state"] == "returned" and [m["kind"] for m in item["movements"]] == [
        "check_in",
        "transfer",
        "check_out",
    ]


def test_the_demo_shows_a_confirmed_seal_an_overdue_ukey_and_a_return_awaiting_the_client(
    catalog,
):
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())
    seal = CustodyItem.objects.get(kind="company_seal")
    assert seal.movements.get().confirm_method == "portal_code"
    assert [i.kind for i in selectors.overdue_items(timezone.now())] == ["tax_ukey"]
    pending = {(m.kind, m.item.kind) for m in selectors.unconfirmed_movements()}
    assert pending == {("check_out", "license_copy"), ("transfer", "tax_ukey")}
    demo_load(now=timezone.now())
    assert CustodyItem.objects.count() == 3
