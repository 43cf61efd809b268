"""What the KPIs need that no other record keeps: when a case was first delivered and how long
it had taken, and the errors found in a result after it was delivered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.models import Case


class Delivery(models.Model):
    """A case's first delivery, written when the case first moves to `delivered`.

    `workdays` is the firm's clock at that moment (intake to delivery, time waiting on the
    client excluded) in working days of the firm's calendar. A case reopened and delivered
    again keeps its first row: the client had the result then.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="kpi_delivery")
    delivered_at = models.DateTimeField(_("交付时间"), db_index=True)
    workdays = models.DecimalField(_("实际用时（工作日）"), max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["-delivered_at"]
        verbose_name = pgettext_lazy("one", "交付记录")
        verbose_name_plural = _("交付记录")

    def __str__(self) -> str:
        return f"{self.case} {self.delivered_at:%Y-%m-%d}"


class DeliveryError(models.Model):
    """An error found in a result after it reached the client (e.g. a wrong figure in a filed
    return). Written once, never edited; the zero-error KPI counts the cases that have one."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="delivery_errors")
    found_on = models.DateField(_("发现日期"))
    description = models.TextField(_("差错说明"))
    remedy = models.TextField(_("补救措施"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = pgettext_lazy("one", "交付后差错")
        verbose_name_plural = _("交付后差错")

    def __str__(self) -> str:
        return f"{self.case} {self.found_on}"


class KpiMonth(models.Model):
    """The firm-wide figures of one month that can no longer change with time, kept so the
    dashboard reads a row per month instead of every record of it (rollups.py).

    Made when first read (or by the nightly job) once the month is over and none of its
    pre-review rounds or incidents can still be answered in time; deleted when a record it was
    counted from changes; ignored when the catalog (its reference durations) is newer.
    """

    month = models.DateField(unique=True)
    catalog_version = models.PositiveIntegerField(null=True)
    figures = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class SimulationRun(models.Model):
    """One result of the yearly simulation of the firm (benchmarks/firm_year.py), kept as the
    benchmark wrote it (`result`, checked by `kpi.simulation.check_result`).

    The KPI page's simulation tab shows the newest by `ran_at`. A run is one (seed, ran_at):
    loading the same file again stores nothing.
    """

    ran_at = models.DateTimeField()
    seed = models.IntegerField()
    label = models.CharField(max_length=64)
    result = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    # Set by `simulation_load` on the row it returns: whether that call stored it (no column).
    stored_now = False

    class Meta:
        ordering = ["-ran_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["seed", "ran_at"], name="kpi_simulation_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.label} seed {self.seed} {self.ran_at:%Y-%m-%d %H:%M}"
