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


def _zhang_signs_on(client, world, provider):
    world.zhang.email = "zhangmin@firm.example"
    world.zhang.save(update_fields=["email"])
    return sign_on(
        client, provider, {"sub": "x", "email": "zhangmin@firm.example", "email_verified": True}
    )


def _refused_with(client, reason: str) -> None:
    assert "_auth_user_id" not in client.session
    assert "单点登录未完成" in client.get("/login/").content.decode()
    refusal = AuditEvent.objects.filter(kind=AuditKind.SSO_REFUSED).latest("seq")
    assert refusal.payload["reason"] == reason


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("token_audience", "another-client"),
        ("token_issuer", "http://127.0.0.1:9/other"),
        ("token_lifetime", -60),  # expired a minute ago
    ],
)
def test_an_id_token_failing_its_checks_is_refused(client, world, provider, knob, value):
    setattr(provider, knob, value)
    response = _zhang_signs_on(client, world, provider)
    assert response.status_code == 302 and response["Location"] == "/login/"
    _refused_with(client, "invalid")


def test_a_provider_refusing_the_code_sends_back_to_the_login_page(client, world, provider):
    with override_settings(OIDC_RP_CLIENT_SECRET="not-the-secret"):
        response = _zhang_signs_on(client, world, provider)
    assert response["Location"] == "/login/"
    _refused_with(client, "provider")


def test_a_provider_not_answering_sends_back_to_the_login_page(client, world, provider):
    with override_settings(OIDC_OP_TOKEN_ENDPOINT="http://127.0.0.1:9/token"):
        response = _zhang_signs_on(client, world, provider)
    assert response["Location"] == "/login/"
    _refused_with(client, "provider")


def test_a_password_log_in_carrying_a_code_never_reaches_the_provider(client, world, provider):
    """?code=…&state=… on the log-in page is no sign-on: the wrong password is just refused."""
    response = client.post(
        reverse("login") + "?code=bogus&state=x", {"username": "zhang", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert provider.token_requests == []


def test_a_callback_with_a_code_the_provider_never_gave_is_refused(client, world, provider):
    start = client.get(reverse("oidc_authentication_init"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(
        reverse("oidc_authentication_callback"), {"code": "bogus", "state": state}
    )
    assert response.status_code == 302 and response["Location"] == "/login/"
    _refused_with(client, "provider")
