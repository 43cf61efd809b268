"""Calendar data the firm maintains: published notices, working hours, closures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.domain.calendar import DEFAULT_HOURS


def _default_windows() -> str:
    return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in DEFAULT_HOURS.windows)


class CalendarOverride(models.Model):
    """One year's 放假调休 loaded from a notice (YAML), replacing the package data for that year."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    notice = models.CharField(_("通知"), max_length=300, blank=True)
    text = models.TextField(_("放假安排（YAML）"))
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = pgettext_lazy("one", "放假安排")
        verbose_name_plural = _("放假安排")

    def __str__(self) -> str:
        return f"{self.year} {self.notice}"


class Schedule(models.Model):
    """Working hours: the firm's (exactly one) or a government office's window hours."""

    FIRM = "firm"
    OFFICE = "office"
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(
        _("类型"),
        max_length=10,
        choices=[(FIRM, _("本所")), (OFFICE, _("政府窗口"))],
        default=OFFICE,
    )
    windows = models.CharField(
        _("工作时段"),
        max_length=200,
        default=_default_windows,
        help_text=_("如 09:00-12:00,13:30-18:00，可设多个时段。"),
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = pgettext_lazy("one", "工作时间")
        verbose_name_plural = _("工作时间")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="firm"), name="one_firm_schedule"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Closure(models.Model):
    """A day the firm (or one office) does not work although the calendar says it would."""

    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100)
    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="closures", verbose_name=_("适用于")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = pgettext_lazy("one", "停止办公日")
        verbose_name_plural = _("停止办公日")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "date"], name="one_closure_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class CalendarVersion(models.Model):
    """A token replaced by every calendar change, so each process knows when to rebuild.

    Random rather than a counter: a restored or recreated database can never present a
    version a process has already cached with other contents.
    """

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
