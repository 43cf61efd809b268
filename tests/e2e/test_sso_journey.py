"""A staff member signs in with the firm's single sign-on button, through an OpenID Connect
provider on loopback, and lands on their cases without typing a password."""

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from tests.standins.oidc_provider import OidcProvider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_staff_member_signs_in_through_the_sso_button(live_server, page, world):
    world.zhang.email = "zhangmin@firm.example"
    world.zhang.save(update_fields=["email"])
    with (
        OidcProvider() as provider,
        override_settings(**provider.settings(), EXPEDITE_OIDC_NAME="企业微信登录"),
    ):
        provider.subject = {"sub": "z", "email": "zhangmin@firm.example", "email_verified": True}
        page.goto(live_server.url + "/login/")
        page.get_by_role("link", name="企业微信登录").click()
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        assert page.url == live_server.url + reverse("case_list")

    login = AuditEvent.objects.filter(kind=AuditKind.LOGIN).latest("seq")
    assert login.user_id == world.zhang.pk and login.payload["method"] == "sso"
