"""The outbox: every message to a client or a staff member is a row first, sent later.

A row's `key` names the message (e.g. `report:case-12:2026-11-27:contact-3:email`): the same
key is never stored twice, so a job that runs again, or two workers at once, cannot send it
twice; a channel that is down leaves the row pending for the next attempt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.words import say

from .said import render


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    INAPP = "inapp", _("站内消息")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")


class OutboxMessage(models.Model):
    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    # An e-mail address, a webhook's configured name, or (in-app) empty with `user` set.
    recipient = models.CharField(_("收件人"), max_length=254, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    # A staff message as phrases ({"subject": …, "body": [line, …]}, see said.py), rendered in
    # the reader's language; `subject` and `body` keep its text (in Chinese for in-app rows, in
    # the recipient's language for e-mail). Empty for older rows and messages to clients.
    said = models.JSONField(default=dict, blank=True)
    # The language `subject` and `body` are written in (the recipient's, for e-mail).
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    # Where the recipient acts on it (a path on this site, e.g. the case page's review panel).
    link = models.CharField(_("处理位置"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker claims a row until `claimed_until`; a crashed worker's claim simply expires.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # in-app messages

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = pgettext_lazy("one", "通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.key

    @property
    def shown_subject(self) -> str:
        """The subject in the active language; the stored text for a row without phrases."""
        return say(self.said["subject"]) if self.said else self.subject

    @property
    def shown_body(self) -> str:
        return render(self.said)[1] if self.said else self.body
