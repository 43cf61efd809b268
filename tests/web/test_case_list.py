import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    a = new_case(
        world,
        service="food-business-license",
        deadline=dt.date(2026, 12, 3),
        reason="平台下周下架",
    )
    b = new_case(
        world,
        client=world.hengxin,
        service="construction-permit",
        deadline=dt.date(2026, 12, 1),
        reason="项目验收",
    )
    return a, b


def test_search_narrows_the_list(client, world, cases):
    client.login(username="zhao", password=PASSWORD)
    html = client.get(reverse("case_list"), {"q": "恒信"}).content.decode()
    assert cases[1].reference in html
    assert cases[0].reference not in html


def test_htmx_search_returns_only_the_rows(client, world, cases):
    client.login(username="zhao", password=PASSWORD)
    response = client.get(reverse("case_list"), {"q": "食品"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert cases[0].reference in html and cases[1].reference not in html


def test_state_filter(client, world, cases):
    client.login(username="zhao", password=PASSWORD)
    assert (
        cases[0].reference
        not in client.get(reverse("case_list"), {"state": "closed"}).content.decode()
    )
    assert (
        cases[0].reference in client.get(reverse("case_list"), {"state": "draft"}).content.decode()
    )
