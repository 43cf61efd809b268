"""The demand radar's records: fitted models with their backtest, each client's latest score,
and every proposal of planned work made to a client with its outcome (docs/radar.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RadarSource(models.TextChoices):
    FIRM = "firm", _("本所历史数据")
    SYNTHETIC = "synthetic", _("模拟历史（演示）")


class RadarVersion(models.Model):
    """One training: the models for 30 and 60 days and the backtest run beside them."""

    trained_at = models.DateTimeField(_("训练时间"))
    source = models.CharField(_("数据来源"), max_length=16, choices=RadarSource.choices)
    seed = models.IntegerField(null=True, blank=True)
    # {"30": RadarModel.as_json(), "60": …}
    fitted = models.JSONField(default=dict)
    # radar_eval.backtest's report, or {"error": code} when the history was too short.
    evaluation = models.JSONField(default=dict)
    history = models.JSONField(default=dict)  # start, end, clients, cases, expedited
    trained_by = models.CharField(_("训练者"), max_length=100, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = pgettext_lazy("one", "雷达模型")
        verbose_name_plural = _("雷达模型")

    def __str__(self) -> str:
        return f"v{self.pk}"


class RadarScore(models.Model):
    """A client's latest score: its probabilities, reasons and the obligations ahead."""

    client = models.OneToOneField(
        "cases.Client", on_delete=models.CASCADE, related_name="radar_score"
    )
    version = models.ForeignKey(RadarVersion, on_delete=models.CASCADE, related_name="scores")
    computed_at = models.DateTimeField()
    p30 = models.FloatField()
    p60 = models.FloatField()
    # The value of acting now: the 30-day probability × the consequence of what lies ahead.
    value = models.FloatField(db_index=True)
    # The soonest latest start among the obligations ahead (None: nothing ahead to start).
    next_start = models.DateField(null=True, blank=True)
    reasons = models.JSONField(default=list)  # [Reason.as_json()]
    ahead = models.JSONField(default=list)  # [{code, name, service, due, latest_start, …}]

    class Meta:
        ordering = ["-value", "pk"]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.p30:.2f}"


class OutreachOutcome(models.TextChoices):
    PENDING = "pending", _("待回复")
    CONVERTED = "converted", _("已转为常规办理")
    DECLINED = "declined", _("客户暂不需要")
    NO_ANSWER = "no_answer", _("未联系上")
    EXPEDITED = "expedited", _("仍在临期加急")


class RadarOutreach(models.Model):
    """A proposal of standard-track work to a client for one obligation, and what came of it."""

    client = models.ForeignKey("cases.Client", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=64)
    name = models.CharField(_("事项"), max_length=100)
    service = models.CharField(max_length=64)
    due = models.DateField(_("截止日期"))
    latest_start = models.DateField(_("最晚启动日"))
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    probability = models.FloatField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("联系时间"))
    outcome = models.CharField(
        _("结果"), max_length=16, choices=OutreachOutcome.choices, default=OutreachOutcome.PENDING
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = pgettext_lazy("one", "雷达联系记录")
        verbose_name_plural = _("雷达联系记录")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "code", "due"], name="radar_outreach_once_per_obligation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.due}"
