"""The trademark office's months on the case page: the plan runs to the office's dates on the
calendar, and says how much of it is the firm's working time."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(client="hengxin", service="trademark-registration", days=400),
]


def test_the_plan_gives_the_firms_working_days_beside_the_offices_calendar_time(client, case):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_plan", args=[case.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "其中办理工作 3 个工作日，其余为机关按日历计算的期间或等待申报批次" in html
    assert "实质审查（商标局）" in html  # the office's step is in the Gantt
    flagged = client.get(
        reverse("case_plan", args=[case.pk]), {"flag": "likely-rejection"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "其中办理工作 8 个工作日" in flagged  # the seed's +5 days for a likely rejection


def test_the_handbook_gives_the_offices_months_without_working_hours(client, world):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("handbook_service", args=["trademark-registration"])).content.decode()
    assert "9 个月" in html and "1 个工作日" in html
