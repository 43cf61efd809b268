"""Logins, logouts and failed logins go on the audit record."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from expedite.audit.services import audit_record
from expedite.common.addresses import client_address as _ip
from expedite.domain.audit import ActorKind, AuditKind


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    with transaction.atomic():
        method = getattr(request, "login_method", "password")
        audit_record(
            kind=AuditKind.LOGIN, actor=user, payload={"ip": _ip(request), "method": method}
        )


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        audit_record(kind=AuditKind.LOGOUT, actor=user, payload={"ip": _ip(request)})


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "login_throttled", False):
        # The throttle refused the try unchecked: the record of failures stays bounded however
        # hard someone hammers the form.
        return
    # The attempted user name is kept; the password never reaches this handler.
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        audit_record(
            kind=AuditKind.LOGIN_FAILED,
            actor_kind=ActorKind.SYSTEM,
            actor_label="anonymous",
            payload={"username": username, "ip": _ip(request)},
        )
