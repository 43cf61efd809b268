"""A staff member's language is kept on their account: switching stores it, and a browser
without the language cookie shows it; the cookie still decides for the browser that has one."""

import pytest
from django.conf import settings
from django.urls import reverse

from expedite.accounts.models import StaffLanguage
from expedite.accounts.selectors import staff_language
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_switching_language_is_kept_on_the_account(client, world):
    assert staff_language(world.zhang) == "zh-hans"  # nothing chosen: the firm's language
    signed_in(client, world.zhang).post(reverse("set_language"), {"language": "en", "next": "/"})
    assert staff_language(world.zhang) == "en"
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert StaffLanguage.objects.get(user=world.zhang).language == "zh-hans"


def test_a_language_the_site_does_not_offer_is_not_stored(client, world):
    signed_in(client, world.zhang).post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert not StaffLanguage.objects.filter(user=world.zhang).exists()


def test_an_anonymous_switch_stores_nothing(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert not StaffLanguage.objects.exists()


def test_another_browser_shows_the_stored_language_until_it_switches(client, world):
    StaffLanguage.objects.create(user=world.zhang, language="en")
    other = signed_in(client, world.zhang)
    assert settings.LANGUAGE_COOKIE_NAME not in other.cookies
    response = other.get(reverse("notification_list"))
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    # The cookie wins for the browser that has one.
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert other.get(reverse("notification_list"))["Content-Language"] == "zh-hans"


def test_without_a_choice_or_a_cookie_the_page_is_chinese(client, world):
    response = signed_in(client, world.zhang).get(reverse("notification_list"))
    assert response["Content-Language"] == "zh-hans"
