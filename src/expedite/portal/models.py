from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.models import Case, ClientContact


class PortalLink(models.Model):
    """One portal link of a case. The token is never stored: it is a signature (SECRET_KEY) over
    the row id and a random nonce, so the database alone can neither show nor forge a link, and
    a link works only while its row is current (not revoked, not expired). See docs/portal.md."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="portal_links")
    nonce = models.CharField(max_length=32)
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近访问"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("one", "客户进度页链接")
        verbose_name_plural = _("客户进度页链接")

    def __str__(self) -> str:
        return f"portal link {self.pk} of case {self.case_id}"

    def is_current(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at


class VerificationCode(models.Model):
    """A one-time code sent to a registered contact of the case's client; only its HMAC is kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="portal_codes")
    contact = models.ForeignKey(ClientContact, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)  # "email" or "sms"
    digest = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = pgettext_lazy("one", "身份验证码")
        verbose_name_plural = _("身份验证码")

    def __str__(self) -> str:
        return f"code {self.pk} for case {self.case_id}"
