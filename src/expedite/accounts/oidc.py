"""Single sign-on through the firm's OpenID Connect provider (mozilla-django-oidc does the
code flow and checks the ID token's signature, expiry and nonce; its audience and issuer are
checked here, which the library leaves out).

Who may come in is decided here: an active staff member already in Expedite, matched by the
provider's user id (the 企业微信账号 on their account) or by a verified e-mail address, exactly
one. Nobody is created, and nothing the provider says changes a role. A refusal goes back to
the log-in page with the reason and leaves an audit event.
"""

from __future__ import annotations

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from expedite.audit.services import audit_record
from expedite.common.addresses import client_address
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.errors import gettext_noop

# Why a sign-on was refused, for the person (translated at the edge) and the audit record.
REFUSALS = {
    "unknown": gettext_noop(
        "单点登录的账号没有对应的在职员工，请联系系统管理员在 Expedite 中登记。"
    ),
    "ambiguous": gettext_noop("单点登录的账号对应多名员工，无法确定是谁，请联系系统管理员。"),
    "unverified": gettext_noop("身份提供方没有确认该电子邮箱，不能据此登录。"),
    "failed": gettext_noop("单点登录未完成，请重试或使用密码登录。"),
}


def enabled() -> bool:
    return bool(settings.EXPEDITE_OIDC_ENABLED)


def _refuse(request, reason: str, claims: dict) -> None:
    request.sso_refusal = reason
    with transaction.atomic():
        audit_record(
            kind=AuditKind.SSO_REFUSED,
            actor_kind=ActorKind.SYSTEM,
            actor_label="anonymous",
            payload={
                "reason": reason,
                "email": str(claims.get("email") or "")[:254],
                "userid": _userid(claims)[:64],
                "ip": client_address(request),
            },
        )


def _userid(claims: dict) -> str:
    claim = settings.EXPEDITE_OIDC_USERID_CLAIM
    return str(claims.get(claim) or "") if claim else ""


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Unconfigured, the library refuses to start; then this backend answers nothing.
        if enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        # Only the provider's callback signs on: a password log-in carrying ?code=…&state=…
        # must not send that code to the provider.
        if not enabled() or request is None or kwargs.keys() & {"username", "password"}:
            return None
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "oidc_authentication_callback":
            return None
        user = super().authenticate(request, **kwargs)
        if user is not None:
            request.login_method = "sso"
        return user

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as exc:
            # The library refuses only a bad signature; an expired token would be a server error.
            raise SuspiciousOperation("ID token expired or not yet valid") from exc
        if "exp" not in payload:
            raise SuspiciousOperation("ID token without an expiry")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        issuer = settings.EXPEDITE_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        return payload

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("email") or _userid(claims))

    def filter_users_by_claims(self, claims):
        staff = get_user_model().objects.filter(is_active=True)
        userid = _userid(claims)
        if userid:
            found = staff.filter(staff_contact__wecom_userid=userid)
            if found.count() == 1:
                return found
        email = str(claims.get("email") or "").strip()
        if email and claims.get("email_verified") is not True:
            _refuse(self.request, "unverified", claims)
            return staff.none()
        found = staff.filter(email__iexact=email) if email else staff.none()
        count = found.count()
        if count != 1:
            _refuse(self.request, "ambiguous" if count else "unknown", claims)
            return staff.none()
        return found

    def create_user(self, claims):
        return None  # never: staff are registered in Expedite, with their roles

    def update_user(self, user, claims):
        return user  # the provider's claims change nothing here


class SsoStart(OIDCAuthenticationRequestView):
    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)


class SsoCallback(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this browser was never given (a forged or replayed callback), or an ID
            # token that fails its checks.
            reason = "invalid"
        except requests.RequestException:
            # The provider refused the code or did not answer.
            reason = "provider"
        _refuse(request, reason, {})
        return self.login_failure()

    @property
    def failure_url(self):
        reason = getattr(self.request, "sso_refusal", "failed")
        messages.error(self.request, _(REFUSALS.get(reason, REFUSALS["failed"])))
        return super().failure_url
