"""满意度、复盘与优化手册: what the client thought and what the team learned."""

from __future__ import annotations

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
