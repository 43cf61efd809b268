import pytest
from django.urls import reverse

from expedite.accounts.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_new_token_is_shown_once_and_a_refresh_makes_no_second_one(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("api_tokens"), {"name": "财务系统对接"})
    assert response.status_code == 302
    page = client.get(reverse("api_tokens"))
    assert page["Cache-Control"] == "no-store"
    assert 'id="new-token"' in page.content.decode()
    again = client.get(reverse("api_tokens")).content.decode()
    assert 'id="new-token"' not in again
    assert ApiToken.objects.filter(user=world.zhang).count() == 1


def test_a_token_needs_a_name(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("api_tokens"), {"name": "  "}, follow=True)
    assert "请填写令牌名称" in response.content.decode()
    assert not ApiToken.objects.exists()
