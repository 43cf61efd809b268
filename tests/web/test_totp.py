"""A second factor for password log-ins: a staff member sets up an authenticator app, then a
password alone no longer signs them in; with EXPEDITE_TOTP_REQUIRED everyone sets one up."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def code_for(device) -> str:
    """What the app on the phone shows: computed from the shared key and the time."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def wrong_for(device) -> str:
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


def enrolled(client, username, clock):
    client.login(username=username, password=PASSWORD)
    page = client.get(reverse("account_security")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    assert client.post(reverse("account_security"), {"code": wrong_for(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    clock.shift(dt.timedelta(seconds=2))  # django-otp slows guessing: 1 s after a miss, then 2…
    client.post(reverse("account_security"), {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    return device


def password(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_after_setting_up_a_password_alone_does_not_sign_in(client, world, clock):
    device = enrolled(client, "zhang", clock)
    assert AuditEvent.objects.filter(kind=AuditKind.TOTP_ENROLLED).count() == 1
    response = password(client, "zhang")
    assert response["Location"] == reverse("login_code")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("case_list")).status_code == 302  # still signed out

    clock.shift(dt.timedelta(seconds=31))  # the enrolment's code is spent; the next one
    wrong = client.post(reverse("login_code"), {"code": wrong_for(device)})
    assert wrong["Location"] == reverse("login_code")
    clock.shift(dt.timedelta(seconds=2))
    response = client.post(reverse("login_code"), {"code": code_for(device)})
    assert response["Location"] == reverse("case_list")
    assert int(client.session["_auth_user_id"]) == world.zhang.pk


def test_a_used_code_cannot_sign_in_again(client, world, clock):
    device = enrolled(client, "zhang", clock)
    clock.shift(dt.timedelta(seconds=31))
    code = code_for(device)
    password(client, "zhang")
    first = client.post(reverse("login_code"), {"code": code})
    assert first["Location"] == reverse("case_list")
    assert "_auth_user_id" in client.session
    client.logout()
    password(client, "zhang")
    replay = client.post(reverse("login_code"), {"code": code})
    assert replay["Location"] == reverse("login_code")
    assert "_auth_user_id" not in client.session


def test_five_wrong_codes_end_the_attempt(client, world, clock):
    device = enrolled(client, "zhang", clock)
    password(client, "zhang")
    for _ in range(4):
        wrong = client.post(reverse("login_code"), {"code": wrong_for(device)})
        assert wrong["Location"] == reverse("login_code")
    last = client.post(reverse("login_code"), {"code": wrong_for(device)})
    assert last["Location"] == reverse("login")
    assert client.get(reverse("login_code"))["Location"] == reverse("login")


def test_a_half_login_expires(client, world, clock):
    device = enrolled(client, "zhang", clock)
    password(client, "zhang")
    clock.shift(dt.timedelta(minutes=6))
    response = client.post(reverse("login_code"), {"code": code_for(device)})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_required_setting_makes_everyone_set_one_up_first(client, world, clock):
    with override_settings(EXPEDITE_TOTP_REQUIRED=True):
        response = password(client, "li")
        assert response["Location"] == reverse("login_enrol")
        page = client.get(reverse("login_enrol")).content.decode()
        assert "<svg" in page and "验证器应用" in page
        device = TOTPDevice.objects.get(user=world.li, confirmed=False)
        response = client.post(reverse("login_enrol"), {"code": code_for(device)})
        assert response["Location"] == reverse("case_list")
        assert int(client.session["_auth_user_id"]) == world.li.pk
        assert TOTPDevice.objects.get(user=world.li).confirmed


def test_turning_it_off_needs_a_current_code(client, world, clock):
    device = enrolled(client, "zhang", clock)
    clock.shift(dt.timedelta(seconds=31))
    password(client, "zhang")
    client.post(reverse("login_code"), {"code": code_for(device)})
    client.post(reverse("account_security_disable"), {"code": wrong_for(device)})
    assert TOTPDevice.objects.filter(user=world.zhang, confirmed=True).exists()
    clock.shift(dt.timedelta(seconds=33))
    client.post(reverse("account_security_disable"), {"code": code_for(device)})
    assert not TOTPDevice.objects.filter(user=world.zhang).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.TOTP_DISABLED).count() == 1
    client.logout()
    assert password(client, "zhang")["Location"] == reverse("case_list")


def test_the_next_address_survives_the_second_step(client, world, clock):
    device = enrolled(client, "zhang", clock)
    clock.shift(dt.timedelta(seconds=31))
    client.post(reverse("login"), {"username": "zhang", "password": PASSWORD, "next": "/clients/"})
    response = client.post(reverse("login_code"), {"code": code_for(device)})
    assert response["Location"] == "/clients/"


def test_the_admin_sites_own_form_cannot_skip_the_code(client, world, clock):
    enrolled(client, "root", clock)
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    assert password(client, "root")["Location"] == reverse("login_code")
