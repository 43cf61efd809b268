"""双重复核: the handler's self-check, then a supervisor's review, before a case is delivered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SELF_CHECK = "self_check"
SUPERVISOR = "supervisor"
STAGE_CHOICES = [(SELF_CHECK, _("经办人自查")), (SUPERVISOR, _("主管复核"))]


class Review(models.Model):
    """One pass through the checklist. Rows are written once and never edited.

    `results` is a list of {"item", "ok", "note"} in checklist order. `round` counts the case's
    entries into the review state: a failed review sends the case back, the next entry is a
    new round. `files` are the result files the reviewer had before them ({"document",
    "sha256", "name", "uploaded_by"}): a supervisor's pass covers exactly these, so a file
    added, replaced or removed since is not covered.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reviews")
    stage = models.CharField(_("环节"), max_length=16, choices=STAGE_CHOICES)
    round = models.PositiveIntegerField(_("轮次"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("复核人"),
    )
    results = models.JSONField(_("检查结果"), default=list)
    files = models.JSONField(_("复核的结果文件"), default=list, blank=True)
    passed = models.BooleanField(_("通过"))
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["round", "created_at", "pk"]
        verbose_name = pgettext_lazy("one", "复核记录")
        verbose_name_plural = _("复核记录")
        constraints = [
            # One supervisor review per round: a pass ends the round, a failure reopens the case.
            models.UniqueConstraint(
                fields=["case", "round"],
                condition=models.Q(stage=SUPERVISOR),
                name="reviews_one_supervisor_review_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} #{self.round} {self.stage}"

    @property
    def problems(self) -> list[dict]:
        return [r for r in self.results if not r.get("ok")]


class SubmissionCheck(models.Model):
    """递交前复核: a supervisor goes through the service's submission checklist before the first
    step at an authority may start. Rows are written once and never edited; `results` as in
    `Review`."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="submission_checks"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("复核人"),
    )
    results = models.JSONField(_("检查结果"), default=list)
    passed = models.BooleanField(_("通过"))
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = pgettext_lazy("one", "递交前复核")
        verbose_name_plural = _("递交前复核")

    def __str__(self) -> str:
        return f"{self.case} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def problems(self) -> list[dict]:
        return [r for r in self.results if not r.get("ok")]


class ReviewFinding(models.Model):
    """An error the supervisor caught before delivery: what was wrong and how it was put right.

    Counted by the zero-error KPI (selectors.caught_errors).
    """

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="findings")
    item = models.CharField(_("检查项"), max_length=100)
    description = models.TextField(_("发现的问题"))
    correction = models.TextField(_("更正"))

    class Meta:
        ordering = ["pk"]
        verbose_name = pgettext_lazy("one", "复核发现的错误")
        verbose_name_plural = _("复核发现的错误")

    def __str__(self) -> str:
        return self.item
