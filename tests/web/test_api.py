import pytest
from django.utils import timezone

from expedite import clock
from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case, Client
from tests.conftest import make_uscc
from tests.factories import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(world):
    _token, raw = api_token_create(user=world.zhang, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_requests_without_a_valid_token_are_refused(client, world):
    assert client.get("/api/v1/cases").status_code == 401
    response = client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer exp_guessed")
    assert response.status_code == 401
    assert response.json()["detail"][0]["message"] == "请提供有效的 API 令牌。"


def test_a_revoked_token_stops_working(client, world):
    from expedite.accounts.services import api_token_revoke

    token, raw = api_token_create(user=world.zhang, name="old")
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    api_token_revoke(user=world.zhang, token_id=token.pk)
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_token_itself_is_never_stored(world):
    from expedite.accounts.models import ApiToken

    _token, raw = api_token_create(user=world.zhang, name="x")
    stored = [str(v) for row in ApiToken.objects.values_list() for v in row]
    assert not any(raw in v for v in stored)
    assert AuditEvent.objects.filter(kind="auth.api_token_created").exists()
    assert not any(raw in str(e.payload) for e in AuditEvent.objects.all())


def test_list_limits_are_bounded(client, world, auth):
    assert client.get("/api/v1/cases", {"limit": 100000}, **auth).status_code == 422


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/clients"])
def test_an_offset_past_any_integer_is_a_clear_error_not_a_500(client, world, auth, path):
    response = client.get(path, {"offset": "99999999999999999999"}, **auth)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "offset"


def test_a_missing_object_answers_in_the_documented_error_shape(client, world, auth):
    response = client.get("/api/v1/cases/999999/reviews", **auth)
    assert response.status_code == 404
    assert response.json()["detail"][0]["message"]


@pytest.mark.parametrize(
    ("body", "status"), [("[null, null]", 400), ("7", 400), ('{"solver": "quantum"}', 422)]
)
def test_a_replan_body_that_is_not_the_documented_object_is_refused(client, world, body, status):
    _token, raw = api_token_create(user=world.chen, name="planner")
    response = client.post(
        "/api/v1/schedule",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == status
    assert response.json()["detail"][0]["message"]
    assert not AuditEvent.objects.filter(kind__startswith="schedule.").exists()


def test_the_schema_documents_the_shared_error_answers():
    from expedite.api.routes import api

    paths = api.get_openapi_schema()["paths"]
    create = paths["/api/v1/cases"]["post"]["responses"]
    assert {"400", "401", "403", "422", "429"} <= set(create)
    assert "404" in paths["/api/v1/cases/{case_id}"]["get"]["responses"]
    assert "400" not in paths["/api/v1/services"]["get"]["responses"]


def test_malformed_json_is_a_clear_error(client, world, auth):
    response = client.post("/api/v1/cases", "{not json", content_type="application/json", **auth)
    assert response.status_code == 400
    assert response.json()["detail"][0]["message"] == "请求内容无法解析，请发送 JSON。"


def test_nul_characters_are_refused_not_a_server_error(client, world, auth):
    response = client.post(
        "/api/v1/cases",
        {
            "client_id": world.acme.pk,
            "service": "business-change",
            "requested_deadline": "2026-12-04",
            "reason": "x\x00y",
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert "控制字符" in response.json()["detail"][0]["message"]
    assert client.get("/api/v1/cases", {"q": "a\x00b"}, **auth).status_code == 200


def test_over_long_fields_are_refused_not_cut(client, world, auth):
    response = client.post(
        "/api/v1/clients",
        {
            "name": "某公司",
            "uscc": "91350100M000100Y43",
            "contacts": [{"name": "甲" * 101, "phone": "13800138000"}],
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "field": "contact_name",
        "message": "联系人姓名不能超过 100 个字符（现为 101 个）。",
    }


def test_client_and_case_round_trip(client, world, auth):
    uscc = make_uscc("91330106MA2H9APQ2")
    response = client.post(
        "/api/v1/clients",
        {
            "name": "杭州云启人力资源有限公司",
            "uscc": uscc,
            "value_tier": "standard",
            "contacts": [{"name": "郑晓", "phone": "13757130003"}],
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    client_id = response.json()["id"]
    assert response.json()["contacts"][0]["is_primary"] is True
    response = client.post(
        "/api/v1/cases",
        {
            "client_id": client_id,
            "service": "business-change",
            "requested_deadline": "2026-12-04",
            "reason": "明天签合同，需要变更后的营业执照",
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["service_name"] == "工商变更"
    assert "/p/" in body["portal_url"]
    case = Case.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(kind="case.created", case=case, actor="zhang").exists()
    listing = client.get("/api/v1/cases", {"q": "营业执照"}, **auth).json()
    assert listing["count"] == 1 and listing["items"][0]["reference"] == case.reference
    assert (
        client.get(f"/api/v1/cases/{case.pk}", **auth).json()["client_name"]
        == "杭州云启人力资源有限公司"
    )


def test_domain_errors_come_back_as_422_with_the_field_and_a_chinese_message(client, world, auth):
    count = Client.objects.count()
    response = client.post(
        "/api/v1/clients",
        {"name": "某公司", "uscc": "123", "contacts": [{"name": "甲", "phone": "13800138000"}]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "uscc", "message": "统一社会信用代码应为 18 位，当前为 3 位。"}
    ]
    assert Client.objects.count() == count


def test_malformed_bodies_come_back_as_422_naming_the_field(client, world, auth):
    response = client.post(
        "/api/v1/cases",
        {
            "client_id": world.acme.pk,
            "service": "business-change",
            "requested_deadline": "soon",
            "reason": "x",
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "requested_deadline"
    assert "格式不正确" in response.json()["detail"][0]["message"]


def test_a_role_without_intake_rights_gets_403(client, world):
    _t, raw = api_token_create(user=world.wang, name="risk")
    response = client.post(
        "/api/v1/cases",
        {
            "client_id": world.acme.pk,
            "service": "business-change",
            "requested_deadline": "2026-12-04",
            "reason": "x",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_an_outsider_token_sees_no_cases(client, world):
    _t, raw = api_token_create(user=world.outsider, name="x")
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403


def test_unknown_case_is_404(client, world, auth):
    assert client.get("/api/v1/cases/424242", **auth).status_code == 404


def test_services_list_the_catalog(client, world, auth):
    codes = {s["code"] for s in client.get("/api/v1/services", **auth).json()}
    assert {"business-change", "labor-dispatch-license", "tax-deregistration"} <= codes


def test_openapi_schema_and_offline_docs_are_served(client, world):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/" in docs
    assert "cdn" not in docs.lower()


def test_listing_cases_does_not_query_per_row(client, world, auth, django_assert_max_num_queries):
    import datetime as dt

    for i in range(12):
        new_case(
            world,
            deadline=timezone.localdate() + dt.timedelta(days=10 + i),
            reason=f"第 {i} 件",
        )
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/cases", {"limit": 50}, **auth).json()
    assert body["count"] == 12


def test_a_token_records_its_use_at_most_once_a_minute(client, world):
    """A write per request serialised a busy client's calls on the token's row."""
    from expedite.accounts.models import ApiToken

    token, raw = api_token_create(user=world.zhang, name="busy")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    now = clock.now()
    recent = now - timezone.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    assert client.get("/api/v1/services", **auth).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - timezone.timedelta(minutes=2))
    assert client.get("/api/v1/services", **auth).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at >= now
