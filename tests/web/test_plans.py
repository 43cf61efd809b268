"""Plans in the product: the CLI, the API, the case page and the printable quote."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from expedite.accounts.services import api_token_create
from expedite.cases.models import CatalogVersion
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(
        client="hengxin", service="labor-dispatch-license", days=60, reason="新客户签约"
    ),
]


def cli(*args) -> str:
    out = StringIO()
    call_command("plan", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_cli_json_has_the_promised_fields(catalog):
    body = json.loads(
        cli(
            "labor-dispatch-license",
            "--start",
            "2026-11-23",
            "--deadline",
            "2026-11-25",
            "--expedite",
            "--json",
        )
    )
    assert body["finish"] == "2026-11-25"
    assert body["working_days"] == 3
    assert set(body["levers"]) == {"esign", "parallel-inspection", "remote-review"}
    assert body["fee"]["total"] == 5800
    assert body["latest_start"].startswith("2026-11-23T")
    assert body["provisional"] is False
    assert body["critical_path"][0] == "collect"
    assert {s["code"] for s in body["steps"]} == {"collect", "review", "inspection", "approval"}
    assert body["summary"] == "3 个工作日可以完成，比常规 5 天快 2 天。"


def test_cli_standard_plan_and_plain_output(catalog):
    body = json.loads(cli("business-change", "--start", "2026-11-23", "--json"))
    assert body["working_days"] == 7 and body["levers"] == [] and body["finish"] == "2026-12-01"
    text = cli("tax-deregistration", "--start", "2026-11-23", "--unmet", "returns-filed")
    assert "8 个工作日" in text and "补报未申报的税费" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "--start", "2026-11-23"), "服务目录中没有"),
        (("business-change", "--start", "2026-02-30"), "不是有效日期"),
        (
            ("business-change", "--start", "2026-11-23", "--expedite", "--pre", "bribe"),
            "不认识这些代码：bribe",
        ),
    ],
)
def test_cli_bad_input_exits_2(catalog, args, message):
    with pytest.raises(CommandError, match=message) as info:
        cli(*args)
    assert info.value.returncode == 2


@pytest.fixture
def auth(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhang, name='t')[1]}"}


def test_api_what_if_plan(client, auth):
    body = client.post(
        "/api/v1/plans",
        {
            "service": "foreign-equity-change",
            "start": "2026-11-23",
            "deadline": "2026-11-27",
            "preconditions": ["department-precoordinated", "transfer-tax-not-blocking"],
        },
        content_type="application/json",
        **auth,
    ).json()
    assert body["standard"]["working_days"] == 10
    assert body["recommended"]["working_days"] == 5
    assert body["recommended"]["meets_deadline"] is True
    assert {r["code"] for r in body["recommended"]["reasons"]} == {
        "parallel-market",
        "parallel-forex",
    }
    assert body["expedite_needed"] is True


def test_api_explains_unavailable_levers(client, auth):
    body = client.post(
        "/api/v1/plans",
        {"service": "labor-dispatch-license", "start": "2026-11-23"},
        content_type="application/json",
        **auth,
    ).json()
    missing = {u["code"]: [m["name"] for m in u["missing"]] for u in body["unavailable"]}
    assert missing["parallel-inspection"] == ["已与审批部门提前沟通"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"service": "nope"}, 404),
        ({"service": "business-change", "preconditions": ["bribe"]}, 422),
        ({"service": "business-change", "start": "soon"}, 422),
    ],
)
def test_api_bad_input(client, auth, payload, status):
    assert (
        client.post("/api/v1/plans", payload, content_type="application/json", **auth).status_code
        == status
    )


def test_the_case_plan_over_the_api(client, auth, case):
    body = client.get(
        f"/api/v1/cases/{case.pk}/plan", {"preconditions": ["esign-accepted"]}, **auth
    ).json()
    assert body["standard"]["working_days"] == 5
    assert body["fastest"]["levers"] == ["esign"]


def test_the_case_page_shows_the_gantt_the_options_and_the_quote(client, case):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="gantt"' in html
    assert "常规流程" in html and "材料审核（人社局）" in html
    assert 'id="quote-text"' in html and "方案一（常规流程）：5 个工作日" in html
    assert "已与审批部门提前沟通" in html  # a what-if checkbox


def test_ticking_a_precondition_updates_the_plan_panel(client, case):
    client.login(username="zhang", password=PASSWORD)
    url = reverse("case_plan", args=[case.pk])
    html = client.get(
        url,
        {"pre": ["esign-accepted", "department-precoordinated", "remote-collaboration"]},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in html
    # Two months to the deadline: no expedite needed, but the fastest plan is shown too.
    assert "无需加急" in html
    assert '<td data-label="工作日">3</td>' in html
    assert "现场核查与材料审核同步" in html


def test_the_printable_quote(client, case):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_quote", args=[case.pk])).content.decode()
    assert "data-print" in html and "苏州恒信建设工程有限公司您好" in html


def test_the_plan_follows_a_newly_loaded_catalog(catalog, tmp_path):
    from expedite.cases.plans import service_definition
    from expedite.catalog import default_catalog_text

    text = (
        default_catalog_text()
        .replace(
            "{code: review, name: 材料审核, duration: {workdays: 2}",
            "{code: review, name: 材料审核, duration: {workdays: 4}",
        )
        # The firm's targets follow its steps, or the load is refused.
        .replace("targets: {standard: 5, expedited: 3}", "targets: {standard: 7, expedited: 3}")
    )
    path = tmp_path / "firm.yaml"
    path.write_text(text, encoding="utf-8")
    call_command("catalog", "load", str(path), stdout=StringIO())
    assert CatalogVersion.objects.count() == 2
    assert service_definition("labor-dispatch-license").step("review").duration.workdays == 4
    body = json.loads(cli("labor-dispatch-license", "--start", "2026-11-23", "--json"))
    assert body["working_days"] == 7


def test_a_case_keeps_the_catalog_it_was_opened_under(client, world, case, tmp_path):
    from expedite.cases.plans import definition_for
    from expedite.catalog import default_catalog_text

    only_one = (
        "skills: [工商, 法务]\nservices:\n"
        + default_catalog_text()
        .split("services:\n", 1)[1]
        .split("\n  - code: labor-dispatch-license")[0]
    )
    only_one = only_one.split("\n# The facts the rules read")[0]
    only_one += "\nenglish:" + default_catalog_text().split("\nenglish:", 1)[1]
    path = tmp_path / "one.yaml"
    path.write_text(only_one, encoding="utf-8")
    call_command("catalog", "load", str(path), stdout=StringIO())
    case.refresh_from_db()
    assert definition_for(case).step("review").duration.workdays == 2
    client.login(username="zhang", password=PASSWORD)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200


def test_a_case_whose_service_no_catalog_knows_shows_a_message(client, world, case):
    from expedite.cases.models import Case

    Case.objects.filter(pk=case.pk).update(catalog_version=None)
    CatalogVersion.objects.all().delete()  # nothing loaded: the shipped default applies
    from expedite.cases.models import ServiceType

    ServiceType.objects.filter(pk=case.service_id).update(code="discontinued-service")
    client.login(username="zhang", password=PASSWORD)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert "已不在服务目录中" in response.content.decode()


def test_cli_refuses_codes_the_service_does_not_know(catalog):
    with pytest.raises(CommandError, match="不认识这些代码：likely-rejectoin") as info:
        cli("trademark-registration", "--start", "2026-11-23", "--flag", "likely-rejectoin")
    assert info.value.returncode == 2


def test_cli_expedite_keeps_the_standard_plan_when_it_meets_the_deadline(catalog):
    body = json.loads(
        cli(
            "labor-dispatch-license",
            "--start",
            "2026-11-23",
            "--deadline",
            "2026-12-31",
            "--expedite",
            "--json",
        )
    )
    assert body["levers"] == [] and body["fee"]["total"] == 4000
    assert "无需加急" in body["summary"]


def test_cli_plan_starts_when_the_materials_arrive(catalog):
    body = json.loads(
        cli(
            "food-business-license",
            "--start",
            "2026-11-23",
            "--materials-expected",
            "2026-11-25",
            "--json",
        )
    )
    assert body["start"].startswith("2026-11-25T09:00") and body["finish"] == "2026-11-27"


def test_api_refuses_unknown_codes(client, auth):
    response = client.post(
        "/api/v1/plans",
        {"service": "trademark-registration", "flags": ["nope"]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "flags"


def test_the_calendar_page_works_at_the_end_of_the_range(client, world):
    client.login(username="li", password=PASSWORD)
    assert client.get(reverse("calendar_year"), {"year": 2099}).status_code == 200
