"""Staff names print one way everywhere: family name first, no space, for Chinese names (张敏)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import expedite
from expedite.monitoring.models import DailyReport
from expedite.monitoring.reports import report_edit, reports_draft
from tests.conftest import PASSWORD
from tests.web.test_monitoring import at, running_case, workday

pytestmark = pytest.mark.django_db

SRC = Path(expedite.__file__).parent


def test_no_template_puts_a_name_together_itself():
    # get_full_name gives "敏 张"; first and last names by hand miss the non-Chinese case.
    by_hand = re.compile(r"\b(first_name|last_name|get_full_name)\b")
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("templates/**/*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if by_hand.search(line)
    ]
    assert offenders == []


# A working Thursday afternoon: the report of the day is drafted, edited and on the page.
@pytest.mark.clock("2026-11-26T10:00:00+08:00")
@pytest.mark.parametrize(
    ("language", "edited"), [("zh-hans", "已由 张敏 修改"), ("en", "Edited by 张敏")]
)
def test_an_edited_daily_report_names_its_editor_family_name_first(client, world, language, edited):
    case = running_case(world)
    day = workday(case)
    reports_draft(now=at(day, 16))
    report_edit(
        actor=world.zhang,
        report=DailyReport.objects.get(case=case, date=day),
        done_today="商务局已电话预沟通，材料无问题。",
        plan_tomorrow="明日上午递交商务局备案。",
        client_todo="请确认外方股东决议原件已寄出。",
        now=at(day, 16, 20),
    )
    client.login(username="zhang", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert edited in html
    assert "敏 张" not in html
