"""日清 + 异常: daily reports, incidents with their response clock, risk warnings, step delays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.models import Case
from expedite.domain.reporting import IncidentKind, RiskKind


class CaseMonitoring(models.Model):
    """Per-case report settings; a case without a row uses the firm's defaults."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="monitoring")
    report_time = models.TimeField(_("日报发送时间"), null=True, blank=True)
    continue_on_holidays = models.BooleanField(_("节假日照常发送日报"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("one", "日报设置")
        verbose_name_plural = _("日报设置")

    def __str__(self) -> str:
        return str(self.case)


REPORT_STATUS_CHOICES = [("draft", _("草稿")), ("sent", _("已发送"))]


class DailyReport(models.Model):
    """日报: one per case and day — the unique constraint is what two workers agree on."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="daily_reports")
    date = models.DateField(_("日期"))
    done_today = models.TextField(_("今日完成"))
    plan_tomorrow = models.TextField(_("明日计划"))
    client_todo = models.TextField(_("需客户配合"))
    status = models.CharField(
        _("状态"), max_length=8, choices=REPORT_STATUS_CHOICES, default="draft"
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(_("生成时间"))
    send_at = models.DateTimeField(_("计划发送时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "date"], name="one_report_per_case_day")
        ]
        indexes = [models.Index(fields=["status", "send_at"])]
        verbose_name = pgettext_lazy("one", "日报")
        verbose_name_plural = _("日报")

    def __str__(self) -> str:
        return f"{self.case} {self.date}"


INCIDENT_KIND_CHOICES = [
    (IncidentKind.DEPARTMENT_REJECTION.value, _("部门退件/要求补正")),
    (IncidentKind.SYSTEM_OUTAGE.value, _("系统故障")),
    (IncidentKind.MISSING_MATERIAL.value, _("材料缺失")),
    (IncidentKind.STAFF_UNAVAILABLE.value, _("人员无法到岗")),
    (IncidentKind.CLIENT_DELAY.value, _("客户延误")),
]
# Raised by the system only, never chosen on a case's form.
SYSTEM_INCIDENT_KIND_CHOICES = [(IncidentKind.RECORD_INTEGRITY.value, _("审计记录校验失败"))]

ESCALATION_CHOICES = [(0, _("未升级")), (1, _("已升级至主管")), (2, _("已升级至经理"))]


class Incident(models.Model):
    """异常: raised → acknowledged (cause, remedy) within one working hour → resolved."""

    # Empty for a firm-wide incident (the record's nightly check failed).
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(
        _("类型"), max_length=24, choices=INCIDENT_KIND_CHOICES + SYSTEM_INCIDENT_KIND_CHOICES
    )
    description = models.TextField(_("情况说明"))
    step = models.ForeignKey(
        "work.StepRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受影响步骤"),
    )
    impact_hours = models.DecimalField(
        _("影响工时"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    raised_at = models.DateTimeField(_("发生时间"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    response_due = models.DateTimeField(_("响应时限"))
    managers_at = models.DateTimeField()  # unacknowledged then: the managers are called
    escalation_level = models.PositiveSmallIntegerField(
        _("升级"), choices=ESCALATION_CHOICES, default=0
    )
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cause = models.TextField(_("原因"), blank=True)
    remedy = models.TextField(_("补救措施"), blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("处理结果"), blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["acknowledged_at", "escalation_level", "response_due"])]
        verbose_name = pgettext_lazy("one", "异常")
        verbose_name_plural = _("异常")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


RISK_KIND_CHOICES = [
    (RiskKind.PROJECTED_LATE.value, _("预计逾期")),
    (RiskKind.LOW_SLACK.value, _("余量不足")),
    (RiskKind.EXTERNAL.value, _("外部风险")),
]

RISK_STATUS_CHOICES = [
    ("pending_approval", _("待对接专员确认")),
    ("sent", _("已告知客户")),
    ("dismissed", _("不告知客户")),
]


class RiskWarning(models.Model):
    """风险预警. An automatic one is open while its condition holds (`cleared_at` empty); the
    partial unique constraint lets only one open warning per case and condition exist."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_warnings")
    kind = models.CharField(_("类型"), max_length=16, choices=RISK_KIND_CHOICES)
    reason = models.TextField(_("原因"))
    mitigation = models.TextField(_("应对措施"), blank=True)
    extra_days = models.PositiveSmallIntegerField(_("预计增加工作日"), default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=RISK_STATUS_CHOICES, default="pending_approval"
    )
    raised_at = models.DateTimeField(_("预警时间"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(cleared_at__isnull=True) & ~Q(kind="external"),
                name="one_open_warning_per_condition",
            )
        ]
        verbose_name = pgettext_lazy("one", "风险预警")
        verbose_name_plural = _("风险预警")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class StepDelay(models.Model):
    """Working time an incident or an external risk adds to a step; the projection reads it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="step_delays")
    step = models.ForeignKey("work.StepRun", on_delete=models.PROTECT, related_name="delays")
    extra_us = models.BigIntegerField()
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="delays"
    )
    warning = models.ForeignKey(
        RiskWarning, null=True, blank=True, on_delete=models.CASCADE, related_name="delays"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = pgettext_lazy("one", "步骤延误")
        verbose_name_plural = _("步骤延误")

    def __str__(self) -> str:
        return f"{self.step} +{self.extra_us}µs"


class CaseRecheck(models.Model):
    """When the SLA watch must next project a running case, so a run projects only those.

    `dirty`: an input changed (a step, the deadline or state, a delay, a warning); `due_at`:
    the projection alone may change the warnings then (None: not before an input changes);
    `stamp`: the calendar and thresholds the row was computed under; `end_us`, `drift_us`:
    the projected end then and how it moves on (domain/recheck.py `end_drift`), so a case due
    by its clock alone is restated without reading its steps. A running case without a row
    is examined at the next run.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    dirty = models.BooleanField(default=True)
    stamp = models.CharField(max_length=40, default="", blank=True)
    end_us = models.BigIntegerField(null=True, blank=True)
    drift_us = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("one", "预警复查时间")
        verbose_name_plural = _("预警复查时间")

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.due_at}"
