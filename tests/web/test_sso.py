"""Single sign-on through an OpenID Connect provider running on loopback (ID tokens signed
RS256): staff are matched by their provider id or a verified e-mail, never created, and keep
the roles Expedite gives them."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from expedite.accounts.models import StaffContact
from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from tests.standins.oidc_provider import OidcProvider

pytestmark = pytest.mark.django_db


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _provider_answer(url: str) -> str:
    """What the provider's /authorize answers the browser: a redirect back, with the code."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302
        return exc.headers["Location"]
    raise AssertionError("the provider did not redirect")


@pytest.fixture
def provider():
    with OidcProvider() as p, override_settings(**p.settings(), EXPEDITE_OIDC_NAME="企业微信登录"):
        yield p


def sign_on(client, provider, claims: dict):
    provider.subject = claims
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    assert start["Location"].startswith(provider.issuer + "/authorize")
    back = _provider_answer(start["Location"])
    parts = urlsplit(back)
    assert parts.path == reverse("oidc_authentication_callback")
    return client.get(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})


def test_the_button_shows_only_when_configured(client, world, provider):
    assert "企业微信登录" in client.get(reverse("login")).content.decode()
    with override_settings(EXPEDITE_OIDC_ENABLED=False):
        assert (
            reverse("oidc_authentication_init") not in client.get(reverse("login")).content.decode()
        )
        assert client.get(reverse("oidc_authentication_init")).status_code == 404


def test_a_staff_member_signs_on_by_verified_email(client, world, provider):
    world.zhang.email = "zhangmin@firm.example"
    world.zhang.save(update_fields=["email"])
    groups = set(world.zhang.groups.values_list("name", flat=True))
    response = sign_on(
        client,
        provider,
        {
            "sub": "u-1",
            "email": "ZhangMin@firm.example",
            "email_verified": True,
            "groups": ["admin"],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("case_list")
    assert client.get(reverse("case_list")).status_code == 200
    assert int(client.session["_auth_user_id"]) == world.zhang.pk
    assert set(world.zhang.groups.values_list("name", flat=True)) == groups  # roles unchanged
    login = AuditEvent.objects.filter(kind=AuditKind.LOGIN).latest("seq")
    assert login.payload["method"] == "sso"
    assert provider.token_requests[0]["client_secret"] == provider.client_secret


def test_a_staff_member_signs_on_by_wecom_userid(client, world, provider):
    StaffContact.objects.create(user=world.li, wecom_userid="LiQiang")
    with override_settings(EXPEDITE_OIDC_USERID_CLAIM="userid"):
        sign_on(client, provider, {"sub": "u-2", "userid": "LiQiang"})
    assert int(client.session["_auth_user_id"]) == world.li.pk


@pytest.mark.parametrize(
    ("claims", "reason", "words"),
    [
        (
            {"sub": "x", "email": "nobody@firm.example", "email_verified": True},
            "unknown",
            "没有对应",
        ),
        (
            {"sub": "x", "email": "zhangmin@firm.example", "email_verified": False},
            "unverified",
            "没有确认",
        ),
        (
            {"sub": "x", "email": "same@firm.example", "email_verified": True},
            "ambiguous",
            "多名员工",
        ),
    ],
)
def test_who_is_not_exactly_one_staff_member_is_refused(
    client, world, provider, claims, reason, words
):
    world.zhang.email = "zhangmin@firm.example"
    world.zhang.save(update_fields=["email"])
    for user in (world.li, world.wang):
        user.email = "same@firm.example"
        user.save(update_fields=["email"])
    users_before = world.zhang.__class__.objects.count()
    response = sign_on(client, provider, claims)
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    page = client.get("/login/").content.decode()
    assert words in page
    assert (
        AuditEvent.objects.filter(kind=AuditKind.SSO_REFUSED).latest("seq").payload["reason"]
        == reason
    )
    assert world.zhang.__class__.objects.count() == users_before  # nobody created


def test_an_inactive_account_cannot_sign_on(client, world, provider):
    world.zhang.email = "zhangmin@firm.example"
    world.zhang.is_active = False
    world.zhang.save(update_fields=["email", "is_active"])
    sign_on(
        client, provider, {"sub": "x", "email": "zhangmin@firm.example", "email_verified": True}
    )
    assert "_auth_user_id" not in client.session


def test_a_forged_state_is_refused(client, world, provider):
    world.zhang.email = "zhangmin@firm.example"
    world.zhang.save(update_fields=["email"])
    provider.subject = {"sub": "x", "email": "zhangmin@firm.example", "email_verified": True}
    start = client.get(reverse("oidc_authentication_init"))
    back = urlsplit(_provider_answer(start["Location"]))
    params = {k: v[0] for k, v in parse_qs(back.query).items()}
    params["state"] = "forged"
    response = client.get(back.path, params)
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
