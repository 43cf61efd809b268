"""The Gantt pictures: tooltips on the firm's wall clock."""

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse

from expedite import clock
from expedite.cases.plans import case_options, facts_from
from expedite.charts.timeline import plan_svg
from expedite.domain.calendar import SHANGHAI
from expedite.work.models import StepRun
from expedite.workdays.selectors import firm_calendar
from tests.web.test_case_panels import _running_case
from tests.web.test_work import open_case

pytestmark = pytest.mark.django_db

UTC = dt.UTC


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
