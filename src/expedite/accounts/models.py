from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApiToken(models.Model):
    """A staff member's API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = pgettext_lazy("one", "API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class StaffContact(models.Model):
    """How a client reaches a staff member at work: the portal shows the liaison's phone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_contact"
    )
    phone = models.CharField(_("工作电话"), max_length=20, blank=True)
    # The member's account in the firm's 企业微信, where messages to the person go.
    wecom_userid = models.CharField(_("企业微信账号"), max_length=64, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("one", "工作电话")
        verbose_name_plural = _("工作电话")

    def __str__(self) -> str:
        return self.phone


class StaffLanguage(models.Model):
    """The language a staff member last chose: what the app shows them when the browser has no
    language cookie, and what the messages they receive by e-mail are written in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_language"
    )
    language = models.CharField(
        _("语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = pgettext_lazy("one", "界面语言")
        verbose_name_plural = _("界面语言")

    def __str__(self) -> str:
        return self.language
