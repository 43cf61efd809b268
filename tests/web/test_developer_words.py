"""No codes, solver names, settings or file paths in front of staff: the pages say what a
person would say. (Administrators still see what they must configure, on their own pages.)"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite import clock
from expedite.cases.triage import TriageInput, case_triage
from expedite.work.schedule import schedule_propose
from tests.conftest import PASSWORD
from tests.factories import case_along, new_case

pytestmark = pytest.mark.django_db

# Words only a developer would write: identifiers, settings, paths, solver names.
DEVELOPER = re.compile(
    r"no-cross-month|cross_month|greedy|cpsat|min_slack|EXPEDITE_[A-Z_]+|docs/\w+\.md"
    r"|\bcompress\b|\bremote\b|\bskip\b|（collect）|（prepare）"
)


def words(html: str) -> list[str]:
    """Developer words in what a person reads: the text, not tags, attributes or scripts."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return DEVELOPER.findall(re.sub(r"<[^>]+>", " ", text))


def test_a_red_line_reads_in_words_not_codes(client, world):
    far = timezone.localdate() + timezone.timedelta(days=60)
    case = new_case(world, service="invoice-title-change", deadline=far, reason="改抬头")
    case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(deadline=far, written_notice=True, facts={"cross_month": True}),
        now=clock.now(),
    )
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_panel", args=[case.pk, "triage"])).content.decode()
    assert "原发票开具已跨月：是" in html
    assert words(html) == []


@pytest.mark.parametrize("username", ["zhang", "chen"])
def test_the_case_page_shows_no_signing_settings_to_staff(client, world, username):
    case = new_case(world)
    client.login(username=username, password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert words(html) == []


def test_the_handbook_names_steps_and_lever_kinds_in_words(client, world):
    client.login(username="li", password=PASSWORD)
    html = client.get(reverse("handbook_service", args=["business-change"])).content.decode()
    assert "压缩时长" in html and "省去该步骤" in html
    assert words(html) == []


def test_the_schedule_and_kpi_pages_name_no_solver_or_file(client, world):
    case_along(
        world,
        reason="银行贷款需要营业执照",
        facts={"resolution_signed": True},
        states=("quoted", "accepted", "in_progress"),
    )
    schedule_propose(actor=world.chen, now=clock.now(), solver="greedy")
    client.login(username="chen", password=PASSWORD)
    schedule = client.get("/board/schedule/").content.decode()
    assert "快速排期" in schedule
    assert words(schedule) == []
    assert words(client.get(reverse("kpi_dashboard")).content.decode()) == []
