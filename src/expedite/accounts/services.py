from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from expedite import clock
from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
from expedite.domain.errors import ValidationFailed

from .models import ApiToken, StaffLanguage


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写令牌名称（例如用途或脚本名）。"), field="name")
    if len(name) > 100:
        raise ValidationFailed(_("令牌名称不能超过 100 个字符。"), field="name")
    raw = "exp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:8], digest=hashlib.sha256(raw.encode()).hexdigest()
    )
    audit_record(
        kind=AuditKind.API_TOKEN_CREATED, actor=user, payload={"token_id": token.pk, "name": name}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    if not updated:
        raise ValidationFailed(_("找不到该令牌，或它已被撤销。"), field="token")
    audit_record(kind=AuditKind.API_TOKEN_REVOKED, actor=user, payload={"token_id": token_id})


def staff_language_save(*, user, language: str) -> bool:
    """Remember the language `user` chose; False (nothing stored) for one the site does not
    offer. Not audited: a display preference changes no business state."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        return False
    StaffLanguage.objects.update_or_create(user=user, defaults={"language": language})
    return True
