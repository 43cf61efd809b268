"""A second factor for password log-ins: a six-digit code from an authenticator app (TOTP,
RFC 6238, through django-otp, which also refuses a code used once already).

After the password, someone with a confirmed device is not signed in yet: the session holds
the half-done log-in for a few minutes while they type the code, with a few tries. With
EXPEDITE_TOTP_REQUIRED, someone without a device sets one up at that point. Single sign-on
skips this: the provider checks its own factors.
"""

from __future__ import annotations

import io
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from expedite import clock
from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind

HALF_LOGIN = "half_login"
HALF_LOGIN_SECONDS = 300
MAX_TRIES = 5
DEVICE_NAME = "authenticator"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_step(user) -> str | None:
    """What a password log-in still needs: "code", "enrol", or None (sign in now)."""
    if confirmed_device(user) is not None:
        return "code"
    return "enrol" if settings.EXPEDITE_TOTP_REQUIRED else None


def hold(request, user) -> None:
    request.session[HALF_LOGIN] = {
        "user": user.pk,
        "backend": user.backend,
        "at": clock.now().timestamp(),
        "tries": 0,
    }


def held_user(request):
    """The half-signed-in user, or None (none, expired, or out of tries)."""
    data = request.session.get(HALF_LOGIN)
    if not data or clock.now().timestamp() - data["at"] > HALF_LOGIN_SECONDS:
        request.session.pop(HALF_LOGIN, None)
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is not None:
        user.backend = data["backend"]
    return user


def count_try(request) -> bool:
    """Count a wrong code; False once the tries are spent (the half log-in is dropped)."""
    data = request.session.get(HALF_LOGIN) or {}
    data["tries"] = data.get("tries", 0) + 1
    if data["tries"] >= MAX_TRIES:
        request.session.pop(HALF_LOGIN, None)
        return False
    request.session[HALF_LOGIN] = data
    return True


def pending_device(user) -> TOTPDevice:
    """The device being set up (not yet confirmed), made on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=4, xmldecl=False)
    return out.getvalue().decode()


def secret_text(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed by hand (base32, in groups of four)."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def enrol_confirm(*, user, code: str) -> bool:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(kind=AuditKind.TOTP_ENROLLED, actor=user, payload={"device_id": device.pk})
    return True


@transaction.atomic
def disable(*, user, code: str) -> bool:
    device = confirmed_device(user)
    if device is None or not device.verify_token(code):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(kind=AuditKind.TOTP_DISABLED, actor=user, payload={})
    return True
