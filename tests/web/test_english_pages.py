"""English pages of the feature apps: catalog text goes through the catalog's words, the
system's own sentences through the product's messages, so nothing Chinese is left but what
people typed and names.

The catalog's English is stood in for by a glossary that prefixes “EN:”, so the tests do not
depend on which terms the catalog translates yet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from expedite.cases import words
from expedite.domain.calendar import DayInfo, DayKind
from expedite.domain.durations import Duration
from expedite.domain.phrases import render
from expedite.domain.staffing import Candidate, Person
from expedite.work.models import Assignment, StepRun
from expedite.workdays.display import deadline_facts
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.web import test_schedule, test_work
from tests.web.test_work import accept, open_case

pytestmark = pytest.mark.django_db
skilled = test_work.skilled  # the people with skills and profiles the work tests use
competing = test_schedule.competing  # two cases wanting the same person at once


@pytest.fixture
def glossary(monkeypatch):
    monkeypatch.setattr(words, "in_english", lambda text: f"EN:{text}" if text else text)


def _english(client, user="chen"):
    client.login(username=user, password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def _marked(message: str) -> str:
    return f"«{message}»"


def test_the_staffing_reason_is_a_phrase_of_messages_and_catalog_skills():
    c = Candidate(
        person=Person(1, "李强", frozenset({"process"}), frozenset(), 8.0, expedite_team=True),
        missing_skills=frozenset({"税务"}),
        absent_days=1,
        load_hours=12.0,
        capacity_hours=16.0,
        need_hours=8.0,
    )
    assert c.reason_zh() == (
        "缺少技能：税务；窗口内已排 12 小时，本单需 8 小时，可用 16 小时；其中 1 天请假/外出；"
        "将超出产能；加急服务小组成员"
    )
    english = render(c.reason().as_json(), translate=_marked, term=lambda t: f"EN:{t}")
    assert "«缺少技能：%(skills)s»" not in english  # rendered, not the bare template
    assert "EN:税务" in english and "«将超出产能»" in english
    assert "«窗口内已排 12 小时，本单需 8 小时，可用 16 小时»" in english


def test_durations_and_days_are_said_with_messages():
    said = render(Duration(2, 4).phrase().as_json(), translate=_marked)
    assert said == "««2 个工作日» «4 小时»»"
    day = DayInfo(dt.date(2026, 2, 14), DayKind.MAKEUP_WORKDAY, True, "春节", False)
    assert day.describe() == "2026-02-14 周六 调休上班（春节）"
    said = render(day.phrase().as_json(), translate=_marked)
    # A holiday's name is the product's own word (marked for translation), not catalog text.
    assert "«周六»" in said and "«调休上班»" in said and "«春节»" in said


def test_the_deadline_in_english_names_the_weekday_in_english():
    cal = firm_calendar()
    saturday = dt.date(2026, 12, 5)
    with translation.override("en"):
        text = deadline_facts(cal, saturday, today=dt.date(2026, 12, 1)).day_text
    assert text.startswith("2026-12-05 Sat ") and "周六" not in text


def test_the_case_page_in_english_names_steps_and_tracks_in_the_catalogs_english(
    client, skilled, glossary
):
    case = accept(skilled, open_case(skilled))
    _english(client)
    html = client.get(f"/cases/{case.pk}/panels/work/").content.decode()
    assert "EN:市场监管局" in html  # a track
    step = StepRun.objects.filter(case=case).order_by("pk").first()
    assert f"EN:{step.name}" in html  # in the table and in the chart
    assert f">{step.name}<" not in html


def test_the_staffing_reason_on_the_page_is_in_the_readers_language(client, skilled, glossary):
    case = accept(skilled, open_case(skilled))
    stored = Assignment.objects.get(case=case, role="process").reason
    assert stored["code"].startswith("staffing.")
    _english(client)
    html = client.get(f"/cases/{case.pk}/panels/work/").content.decode()
    with translation.override("en"):
        assert words.say(stored) in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get(f"/cases/{case.pk}/panels/work/").content.decode()
    assert "技能匹配" in html and "EN:" not in html


def test_the_handbook_in_english_gives_step_names_and_durations_in_english(client, world, glossary):
    _english(client)
    html = client.get("/handbook/business-change/").content.decode()
    assert "EN:初审" in html and ">初审<" not in html


def test_the_schedule_page_in_english_names_steps_and_lists_in_english(client, competing, glossary):
    from expedite.work.schedule import schedule_propose
    from expedite.work.schedule_input import Clock, read_stamp
    from expedite.work.schedule_page import monday

    proposal = schedule_propose(actor=competing.chen, now=competing.now, solver="greedy")
    run = StepRun.objects.filter(case=competing.loan, role="process").first()
    step = run.name
    # The week the step is planned in, everyone's lanes.
    stamp = read_stamp(now=competing.now)
    cal = stamp.clock.cal
    clock = Clock(cal, cal.work_clock(proposal.origin), stamp.clock.slots)
    week = monday(clock.date_of(proposal.placements[str(run.pk)][0]))
    _english(client)
    page = client.get(f"/board/schedule/?team=&week={week.isoformat()}").content.decode()
    chart = page.split('class="schedule-gantt"')[1].split("</svg>")[0]
    assert f"EN:{step}" in chart and f" {step} " not in chart
    conflicts = page.split('id="conflicts"')[1].split("</section>")[0]
    assert f"EN:{step}" in conflicts
    assert "、" not in conflicts  # the steps are listed with the reader's separator


def test_the_staff_page_in_english_lists_roles_and_skills_in_english(client, skilled, glossary):
    _english(client)
    page = client.get("/staff/").content.decode()
    assert "EN:工商" in page and ">工商<" not in page and " 工商</label>" not in page
    assert "、" not in page.split("<tbody>")[1].split("</tbody>")[0]


def test_custody_form_errors_put_their_punctuation_through_translation(monkeypatch):
    from expedite.custody import forms

    monkeypatch.setattr(forms, "gettext", _marked)
    form = forms.CheckInForm({"kind": "nonsense"})
    assert not form.is_valid()
    text = forms.form_errors(form)
    # Each field's line is a whole message, the lines joined with the translated separator.
    assert text.startswith("«物品类别：") and "»«；»«用途：" in text


def test_the_handbooks_revisions_are_said_in_the_readers_language(client, world, glossary):
    from django.utils import timezone

    from expedite.learning.services import proposal_decide
    from tests.web.test_learning import proposal

    admin = world.root
    entry = proposal(world)
    proposal_decide(actor=admin, entry=entry, accept=True, reason="半天内完成", now=timezone.now())
    _english(client)
    page = client.get("/handbook/").content.decode()
    revisions = page.split('id="revisions"')[1].split("</section>")[0]
    # A stored phrase, not the Chinese written at the time: catalog names and durations in English.
    assert "EN:工商变更 · EN:初审" in revisions and "4 hours" in revisions


def test_the_correction_notice_is_said_in_the_readers_language(world, glossary):
    from django.utils import timezone

    from expedite.materials.models import PreReview
    from expedite.materials.services import prereview_record
    from tests.web.materials_helpers import collecting_case
    from tests.web.test_materials import upload

    case = collecting_case(world)
    upload(world, case, "resolution")
    verdicts = {
        "license": {"verdict": "missing"},
        "resolution": {"verdict": "invalid", "reason": "缺少股东李四的签字"},
        "application": {"verdict": "ok"},
        "articles-amendment": {"verdict": "ok"},
        "id-copies": {"verdict": "ok"},
    }
    review = prereview_record(actor=world.zhang, case=case, verdicts=verdicts, now=timezone.now())
    assert isinstance(review.notice, list)  # phrases, said when read
    with translation.override("en"):
        said = review.notice_shown()
    assert "EN:股东会决议" in said and "EN:工商变更" in said
    assert "缺少股东李四的签字" in said  # what the reviewer wrote stays as written
    # A notice stored as text before keeps showing as it was written.
    PreReview.objects.filter(pk=review.pk).update(notice="【材料补正一次性告知】旧文本")
    assert PreReview.objects.get(pk=review.pk).notice_shown() == "【材料补正一次性告知】旧文本"
