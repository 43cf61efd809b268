import datetime as dt

import pytest
from django.utils import timezone

from expedite.portal.links import portal_path, portal_token

pytestmark = [pytest.mark.django_db, pytest.mark.case(days=8, reason="内部备注：老板很急")]


def test_the_signed_link_shows_the_client_its_case_without_login(client, case):
    response = client.get(portal_path(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert case.reference in html and "工商变更" in html and "部门审批中" in html
    assert response["Referrer-Policy"] == "same-origin"


def test_the_portal_never_shows_internal_notes(client, case):
    assert "老板很急" not in client.get(portal_path(case)).content.decode()


def test_forged_or_altered_tokens_reach_nothing(client, case):
    token = portal_token(case)
    assert client.get(f"/p/{token[:-2]}xx/").status_code == 404
    assert client.get("/p/eyJjYXNlIjoxfQ/").status_code == 404


def test_the_client_can_read_the_portal_in_english(client, case):
    client.post("/i18n/setlang/", {"language": "en", "next": portal_path(case)})
    html = client.get(portal_path(case)).content.decode()
    assert '<html lang="en">' in html and "中文" in html


def test_the_client_answers_the_three_questions_in_the_portal(client, case):
    from expedite.audit.models import AuditEvent

    url = portal_path(case)
    today = timezone.localdate()
    deadline, expected = today + dt.timedelta(days=8), today + dt.timedelta(days=2)
    response = client.post(
        url,
        {
            "deadline": deadline.isoformat(),
            "written_notice": "yes",
            "stage": "not_started",
            "materials_complete": "no",
            "materials_expected": expected.isoformat(),
            "consequence": "contract_penalty",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.intake["client"]["consequence"] == "contract_penalty"
    assert case.intake["client"]["materials_expected"] == expected.isoformat()
    event = AuditEvent.objects.get(kind="case.intake_answered")
    assert event.actor_kind == "client" and event.case_id == case.pk


def test_the_portal_form_explains_what_is_missing(client, case):
    response = client.post(
        portal_path(case),
        {
            "deadline": (timezone.localdate() + dt.timedelta(days=8)).isoformat(),
            "written_notice": "yes",
            "materials_complete": "no",
            "consequence": "comfort_only",
        },
    )
    assert "请填写预计交齐材料的日期" in response.content.decode()
    case.refresh_from_db()
    assert "client" not in case.intake
