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
    SMS = "sms", _("短信")
    WECOM_APP = "wecom_app", _("企业微信")
    WEBHOOK = "webhook", _("外部系统（Webhook）")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    # Not retried on its own: the provider refused it for good (a template not approved, a
    # number or account that does not exist), or took it without saying so (a timeout after
    # the request went out), where a retry could deliver it twice. A person decides.
    HELD = "held", _("待人工处理")
    # A one-time code the provider did not take: never sent later (it would arrive stale);
    # the client asks for another.
    DROPPED = "dropped", _("未发出")


class Delivery(models.TextChoices):
    UNKNOWN = "", _("未回执")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("未送达")


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
    # A message to a client contact: whom, so the case page can say who got what, how.
    contact = models.ForeignKey(
        "cases.ClientContact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A text message is a filed template and its variables (domain/sms.py), not free text.
    template = models.CharField(max_length=16, blank=True)
    variables = models.JSONField(default=dict, blank=True)
    # The provider's id for the message (BizId, SerialNo, msgid): receipts name it.
    provider_ref = models.CharField(max_length=100, blank=True, db_index=True)
    delivery = models.CharField(
        _("送达"), max_length=16, choices=Delivery.choices, default=Delivery.UNKNOWN, blank=True
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # Per-number limits count a phone's recent codes.
            models.Index(
                fields=["channel", "recipient", "created_at"], name="outbox_recipient_idx"
            ),
        ]
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


class ShortLink(models.Model):
    """A short address for a path on this site, for a text message that has no room for a
    portal link: `/s/<code>` leads to `target` until it expires."""

    code = models.CharField(max_length=12, unique=True)
    target = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["target"])]

    def __str__(self) -> str:
        return self.code


class WebhookEndpoint(models.Model):
    """A system of the firm's that hears of chosen events: each delivery is an outbox row
    signed with `secret` (HMAC-SHA256 over timestamp and body, docs/integration.md)."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(max_length=64)
    events = models.JSONField(_("事件"), default=list)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = pgettext_lazy("one", "Webhook 接收地址")
        verbose_name_plural = _("Webhook 接收地址")

    def __str__(self) -> str:
        return self.name


class WebhookAttempt(models.Model):
    """One try at delivering a webhook: what the receiver answered, and how fast."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(_("时间"))
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = pgettext_lazy("one", "Webhook 投递记录")
        verbose_name_plural = _("Webhook 投递记录")

    def __str__(self) -> str:
        return f"{self.endpoint} {self.at:%Y-%m-%d %H:%M:%S}"
