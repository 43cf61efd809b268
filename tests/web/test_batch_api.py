"""Batches over the API: open one for several companies (all or nothing) and read its plan."""

import datetime as dt

import pytest
from django.utils import timezone

from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.batches.models import Batch
from expedite.cases.models import Case
from expedite.workdays.selectors import firm_calendar
from tests.factories import ClientFactory
from tests.web.test_batches import REASON, UNFILED

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies(world):
    return [
        world.hengxin,
        ClientFactory(actor=world.zhang, name="苏州恒信建材有限公司"),
        ClientFactory(actor=world.zhang, name="苏州恒信物业管理有限公司"),
    ]


@pytest.fixture
def auth(world):
    _token, raw = api_token_create(user=world.zhang, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_opens_a_triaged_batch_and_answers_its_plan(client, world, companies, auth):
    body = {
        "companies": [{"client_id": c.pk} for c in companies[:2]]
        + [{"client_id": companies[2].pk, "facts": {"unpaid_taxes": True}}],
        "requester_contact_id": world.hengxin.contacts.first().pk,
        "service": "tax-deregistration",
        "requested_deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "reason": REASON,
        "triage": {"written_notice": False, "facts": UNFILED},
    }
    response = client.post("/api/v1/batches", body, content_type="application/json", **auth)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert [c["client_id"] for c in made["cases"]] == [c.pk for c in companies]
    assert {c["verdict"] for c in made["cases"]} == {"blocked"}
    assert all(c["plan_promised"] for c in made["cases"])
    assert made["meets_deadline"] is True and made["bottleneck_case_ids"]
    finishes = [dt.datetime.fromisoformat(c["finish"]) for c in made["cases"]]
    assert made["finish"] == max(finishes).astimezone(firm_calendar().tz).date().isoformat()
    again = client.get(f"/api/v1/batches/{made['id']}", **auth).json()
    assert again == made
    listed = client.get("/api/v1/batches", **auth).json()
    assert [b["reference"] for b in listed["items"]] == [made["reference"]]


def test_the_api_refuses_a_batch_with_one_unknown_company_and_creates_nothing(
    client, world, companies, auth
):
    events = AuditEvent.objects.count()
    body = {
        "companies": [{"client_id": companies[0].pk}, {"client_id": 999_999}],
        "requester_contact_id": world.hengxin.contacts.first().pk,
        "service": "tax-deregistration",
        "requested_deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "reason": REASON,
    }
    response = client.post("/api/v1/batches", body, content_type="application/json", **auth)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["field"] == "companies" and "第 2 家公司不是已登记的客户" in detail["message"]
    assert not Batch.objects.exists() and not Case.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_api_gives_a_batch_to_no_one_without_a_role(client, world, companies, auth):
    body = {
        "companies": [{"client_id": c.pk} for c in companies],
        "requester_contact_id": world.hengxin.contacts.first().pk,
        "service": "tax-deregistration",
        "requested_deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "reason": REASON,
    }
    made = client.post("/api/v1/batches", body, content_type="application/json", **auth).json()
    _token, raw = api_token_create(user=world.outsider, name="x")
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/v1/batches/{made['id']}", **outsider).status_code == 403
    assert client.get("/api/v1/batches", **outsider).status_code == 403
    events = AuditEvent.objects.count()
    response = client.post("/api/v1/batches", body, content_type="application/json", **outsider)
    assert response.status_code == 403
    assert Batch.objects.count() == 1 and AuditEvent.objects.count() == events
