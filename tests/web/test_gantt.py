"""The Gantt pictures: tooltips on the firm's wall clock, and a name a screen reader can read."""

import dataclasses
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from expedite import clock
from expedite.cases.plans import case_options, facts_from
from expedite.charts.timeline import plan_svg, schedule_svg, workload_svg
from expedite.domain.calendar import SHANGHAI
from expedite.work.models import StepRun
from expedite.workdays.selectors import firm_calendar
from tests.web.test_case_panels import _running_case
from tests.web.test_work import open_case

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b[^>]*>", html)


def test_progress_tooltips_give_planned_times_in_shanghai_not_utc(client, world):
    case = _running_case(world)
    client.force_login(world.chen)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    runs = list(StepRun.objects.filter(case=case))
    assert runs
    for run in runs:
        start, finish = (
            run.planned_start.astimezone(SHANGHAI),
            run.planned_finish.astimezone(SHANGHAI),
        )
        assert f"计划 {start:%m-%d %H:%M}→{finish:%m-%d %H:%M}" in html, run.name
        utc = run.planned_start.astimezone(UTC)
        assert f"计划 {utc:%m-%d %H:%M}→" not in html, run.name


def test_a_plan_given_in_utc_has_the_same_tooltips_as_in_shanghai(world):
    case = open_case(world)
    plan = case_options(case, facts=facts_from(), now=clock.now()).standard.plan
    in_utc = dataclasses.replace(
        plan,
        steps=tuple(
            dataclasses.replace(s, start=s.start.astimezone(UTC), finish=s.finish.astimezone(UTC))
            for s in plan.steps
        ),
    )
    cal = firm_calendar()
    local = plan_svg([("常规流程", plan)], cal)
    assert plan_svg([("常规流程", in_utc)], cal) == local
    first = plan.steps[0]
    assert f"{first.start.astimezone(SHANGHAI):%m-%d %H:%M} →" in local


def test_every_gantt_has_an_accessible_name_in_the_users_language(world):
    case = open_case(world)
    cal = firm_calendar()
    plan = case_options(case, facts=facts_from(), now=clock.now()).standard.plan
    today = clock.today()
    days = [cal.add_workdays(today, i) for i in range(3)]
    pictures = {
        "计划甘特图": plan_svg([("常规流程", plan)], cal),
        "人员负荷": workload_svg([("李强", [(4, 8), (0, 0), (9, 8)])], days, today),
        "排期": schedule_svg([], days, slots=8, now_index=0, today=today, colours={}),
    }
    for name, svg in pictures.items():
        (tag,) = _svgs(svg)
        assert 'role="img"' in tag and f'aria-label="{name}"' in tag, tag
    with translation.override("en"):
        (tag,) = _svgs(schedule_svg([], days, slots=8, now_index=0, today=today, colours={}))
    assert 'aria-label="Schedule"' in tag, tag


def test_the_case_page_progress_gantt_is_named(client, world):
    case = _running_case(world)
    client.force_login(world.chen)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    tags = [t for t in _svgs(html) if 'class="gantt"' in t]
    assert len(tags) == 2  # the plan and the progress
    assert 'aria-label="计划甘特图"' in tags[0] and 'aria-label="办理进度"' in tags[1]
