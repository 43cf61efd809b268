"""The work pages' forms: bad input is named and changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from expedite.audit.models import AuditEvent
from expedite.work.models import Absence, Assignment, StepRun
from tests.web.test_case_panels import _running_case

pytestmark = pytest.mark.django_db


def _flash(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_team_with_an_id_that_is_not_a_number_is_refused(client, world):
    case = _running_case(world)
    before = list(Assignment.objects.filter(case=case).values_list("role", "user_id", "status"))
    client.force_login(world.chen)
    events = AuditEvent.objects.count()
    for bad in ("²", "12abc", "-3", "9" * 30, "1\x00"):
        response = client.post(
            reverse("case_team_assign", args=[case.pk]),
            {"liaison": bad, "process": world.li.pk, "risk": world.wang.pk},
        )
        assert response.status_code == 302
        assert "客户对接专员：" in _flash(response), bad  # the role, in the user's words
    after = list(Assignment.objects.filter(case=case).values_list("role", "user_id", "status"))
    assert after == before and AuditEvent.objects.count() == events


def test_finishing_a_step_with_hours_that_are_not_a_number_changes_nothing(client, world):
    case = _running_case(world)
    step = StepRun.objects.filter(case=case).order_by("position").first()
    client.force_login(world.li)
    client.post(reverse("step_action", args=[step.pk, "start"]))
    response = client.post(
        reverse("step_action", args=[step.pk, "finish"]), {"actual_hours": "三个小时"}
    )
    assert "实际工时须是数字" in _flash(response)
    assert StepRun.objects.get(pk=step.pk).finished_at is None


def test_an_absence_for_a_person_id_that_is_not_a_number_is_not_recorded_for_oneself(client, world):
    client.force_login(world.chen)
    response = client.post(
        reverse("staff"),
        {"action": "absence", "user": "li", "start": "2026-12-01", "end": "2026-12-02"},
    )
    assert response.status_code == 302 and _flash(response)
    assert not Absence.objects.exists()
    response = client.post(
        reverse("staff"),
        {"action": "absence", "user": world.li.pk, "start": "明天", "end": "2026-12-02"},
    )
    assert "请填写有效的日期" in _flash(response)
    assert not Absence.objects.exists()
