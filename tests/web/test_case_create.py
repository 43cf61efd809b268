import datetime as dt

import pytest
from django.urls import reverse

from expedite.audit.models import AuditEvent
from expedite.cases.models import Case
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def form(world, **overrides):
    data = {
        "client": world.acme.pk,
        "service": "labor-dispatch-license",
        "requested_deadline": "2026-12-03",
        "reason": "新客户合同签约需要劳务派遣许可证",
    }
    data.update(overrides)
    return data


def test_a_liaison_opens_a_request_and_sees_it_listed_and_on_its_page(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("case_create"), form(world))
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.state == "draft"
    assert case.reference == f"JJ-{case.created_at:%Y}-{case.pk:05d}"
    assert case.requested_deadline == dt.date(2026, 12, 3)
    listing = client.get(reverse("case_list")).content.decode()
    assert case.reference in listing and "劳务派遣许可证" in listing and "草稿" in listing
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "新客户合同签约需要劳务派遣许可证" in page
    assert "5 个工作日" in page
    event = AuditEvent.objects.get(kind="case.created")
    assert event.case_id == case.pk
    assert event.payload["service"] == "labor-dispatch-license"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "   ", "这个字段是必填项"),
        ("service", "teleportation", "有效的选项"),
        ("requested_deadline", "明天", "输入一个有效的日期"),
        ("client", "999999", "有效的选项"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_created(client, world, field, value, message):
    client.login(username="zhang", password=PASSWORD)
    events = AuditEvent.objects.count()
    response = client.post(reverse("case_create"), form(world, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Case.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_retired_service_cannot_be_requested(client, world):
    from expedite.cases.models import ServiceType

    ServiceType.objects.filter(code="labor-dispatch-license").update(active=False)
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("case_create"), form(world))
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_the_process_specialist_may_view_but_not_open_requests(client, world):
    client.login(username="li", password=PASSWORD)
    assert client.get(reverse("case_list")).status_code == 200
    assert client.post(reverse("case_create"), form(world)).status_code == 403
    assert Case.objects.count() == 0


def test_an_outsider_sees_no_cases(client, world):
    client.login(username="outsider", password=PASSWORD)
    assert client.get(reverse("case_list")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("case_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_case_page_names_events_in_words(client, world):
    client.login(username="zhang", password=PASSWORD)
    client.post(reverse("case_create"), form(world))
    page = client.get(reverse("case_detail", args=[Case.objects.get().pk])).content.decode()
    assert "创建加急单" in page
