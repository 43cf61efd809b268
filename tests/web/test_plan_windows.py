"""A service taken only in application windows (高企认定's 申报批次) on the case page: a date
from an expected window is marked as such, and past the last known window the plan panel,
the printable quote and triage say plainly that the next window is not known yet."""

import pytest
from django.urls import reverse

from expedite.cases.models import Case
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(client="hengxin", service="high-tech-certification", days=120),
]

NOT_KNOWN = "下一个申报批次尚未公布：“网上提交认定申请”"
# After Shanghai's expected 2027 window (30 April – 10 October) has closed.
PAST_THE_WINDOWS = "2027-10-20T10:00:00+08:00"
# Between Shanghai's announced 2026 window and the expected 2027 one.
BETWEEN_THE_WINDOWS = "2026-12-03T10:00:00+08:00"


@pytest.mark.clock(BETWEEN_THE_WINDOWS)
def test_a_plan_dated_from_an_expected_window_says_so(client, case):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'class="flash error expected-window"' in html
    assert "暂定：按往年批次预计（2026 年上海为 4 月 30 日至 10 月 10 日），以当年通知为准" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="gantt"' in html


@pytest.mark.clock(PAST_THE_WINDOWS)
def test_past_the_last_window_the_plan_panel_says_the_next_one_is_not_known(client, case):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="plan-error"' in html and NOT_KNOWN in html
    assert "2027-04-30 至 2027-10-10" in html
    assert '<form class="facts"' in html  # the facts can still be changed
    panel = client.get(
        reverse("case_plan", args=[case.pk]), {"missing": ["special-audit"]}, HTTP_HX_REQUEST="true"
    )
    assert panel.status_code == 200 and NOT_KNOWN in panel.content.decode()
    assert 'name="missing"' in panel.content.decode()


@pytest.mark.clock(PAST_THE_WINDOWS)
def test_past_the_last_window_the_printable_quote_says_so_too(client, case):
    client.login(username="zhang", password=PASSWORD)
    response = client.get(reverse("case_quote", args=[case.pk]))
    assert response.status_code == 200 and NOT_KNOWN in response.content.decode()


@pytest.mark.clock(PAST_THE_WINDOWS)
def test_past_the_last_window_triage_is_refused_with_the_reason_and_nothing_stored(client, case):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(
        reverse("case_triage", args=[case.pk]),
        {
            "deadline": case.requested_deadline.isoformat(),
            "written_notice": "yes",
            "stage": "not_started",
            "materials_complete": "yes",
            "consequence": "lost_business",
            "fact_special_audit_ready": "yes",
            "fact_business_license_valid": "yes",
        },
    )
    assert response.status_code == 422
    assert NOT_KNOWN in response.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.state == "draft" and not case.triage


@pytest.mark.clock(BETWEEN_THE_WINDOWS)
def test_the_expected_window_reads_in_english_from_the_catalogs_english(client, case):
    client.login(username="zhang", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Provisional: Expected from earlier years" in html
