"""满意度、复盘与优化手册: what the client thought and what the team learned."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.domain.feedback import Scores


class Feedback(models.Model):
    """The client's survey after confirming a delivery; one per case, written once."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="feedback")
    timeliness = models.PositiveSmallIntegerField(_("时效"))  # 1..5
    communication = models.PositiveSmallIntegerField(_("沟通"))  # 1..5
    result = models.PositiveSmallIntegerField(_("结果"))  # 1..5
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = pgettext_lazy("one", "满意度评价")
        verbose_name_plural = _("满意度评价")

    def __str__(self) -> str:
        return f"{self.case} {self.timeliness}/{self.communication}/{self.result}"

    @property
    def scores(self) -> Scores:
        return Scores(self.timeliness, self.communication, self.result)

    @property
    def average(self) -> float:
        return self.scores.average

    @property
    def is_low(self) -> bool:
        """Any score of 2 or less (domain.feedback.LOW_SCORE)."""
        return self.scores.is_low


class FollowUp(models.Model):
    """A low score the manager must answer: opened by the feedback, resolved with a note."""

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="follow_up")
    # A settings change the client's comment suggests, e.g. {"report_time": "16:00"}.
    suggestion = models.JSONField(_("建议的调整"), default=dict, blank=True)
    opened_at = models.DateTimeField(_("发起时间"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("处理说明"), blank=True)
    applied = models.JSONField(_("已应用的调整"), default=dict, blank=True)

    class Meta:
        ordering = ["resolved_at", "-opened_at", "pk"]
        verbose_name = pgettext_lazy("one", "差评跟进")
        verbose_name_plural = _("差评跟进")

    def __str__(self) -> str:
        return str(self.feedback)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Retrospective(models.Model):
    """复盘: one per case, written by the people who ran it; editable until the case closes."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="retrospective"
    )
    went_well = models.TextField(_("做得好的"))
    to_improve = models.TextField(_("需要改进的"))
    # A list of short action texts; each may become a handbook entry.
    actions = models.JSONField(_("改进措施"), default=list, blank=True)
    reasons = models.JSONField(_("必须复盘的原因"), default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = pgettext_lazy("one", "复盘")
        verbose_name_plural = _("复盘")

    def __str__(self) -> str:
        return f"{self.case} 复盘"


PROPOSAL_NONE = ""
PROPOSAL_PENDING = "pending"
PROPOSAL_ACCEPTED = "accepted"
PROPOSAL_REJECTED = "rejected"
PROPOSAL_CHOICES = [
    (PROPOSAL_NONE, _("无目录修改")),
    (PROPOSAL_PENDING, _("待审定")),
    (PROPOSAL_ACCEPTED, _("已采纳")),
    (PROPOSAL_REJECTED, _("未采纳")),
]


class HandbookEntry(models.Model):
    """优化手册: a lesson for one service (and step), maybe proposing a catalog change."""

    service_code = models.CharField(_("服务事项"), max_length=64, db_index=True)
    step_code = models.CharField(_("步骤"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    # The lesson outlives the case: a retention purge removes the 复盘, not the entry (nor the
    # catalog revision it produced).
    retrospective = models.ForeignKey(
        Retrospective, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    action_index = models.PositiveSmallIntegerField(null=True, blank=True)
    # domain.learning.CatalogChange.to_dict(); empty when the entry proposes nothing.
    change = models.JSONField(_("目录修改建议"), default=dict, blank=True)
    status = models.CharField(
        _("审定"), max_length=16, choices=PROPOSAL_CHOICES, default=PROPOSAL_NONE, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("审定理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("one", "优化手册条目")
        verbose_name_plural = _("优化手册")
        constraints = [
            models.UniqueConstraint(
                fields=["retrospective", "action_index"],
                condition=models.Q(retrospective__isnull=False),
                name="learning_one_entry_per_action",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CatalogRevision(models.Model):
    """An accepted catalog change: the catalog's revision number, who, when, and the diff."""

    number = models.PositiveIntegerField(_("修订号"), unique=True)
    entry = models.OneToOneField(HandbookEntry, on_delete=models.PROTECT, related_name="revision")
    change = models.JSONField()
    diff = models.JSONField(default=list)  # [[what, before, after], ...]
    version = models.ForeignKey(
        "cases.CatalogVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["number"]
        verbose_name = pgettext_lazy("one", "服务目录修订")
        verbose_name_plural = _("服务目录修订")

    def __str__(self) -> str:
        return f"r{self.number}"
