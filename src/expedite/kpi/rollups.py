"""The firm-wide figures of months that are over, kept one row a month (`KpiMonth`).

A month's figures stop changing with time once it is over and none of its pre-review rounds
or incidents can still be answered in time; they still change when a record counted in them
does (an error found after delivery, a review finding, a case cancelled, a rating...). The
signals below delete the rows such a change touches; the next read, or the nightly job, makes
them again. A row made under another catalog (reference durations) is not used.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from expedite.cases.models import CatalogVersion
from expedite.domain import kpi
from expedite.materials.models import PreReview
from expedite.monitoring.models import Incident
from expedite.workdays.selectors import firm_calendar

from .models import Delivery, KpiMonth

log = logging.getLogger(__name__)

Month = tuple[kpi.MonthFigures, list[kpi.ServiceDurations]]


def catalog_key() -> int | None:
    return CatalogVersion.objects.order_by("-pk").values_list("pk", flat=True).first()


def month_start(month: dt.date) -> dt.datetime:
    return dt.datetime.combine(month, dt.time(0), tzinfo=firm_calendar().tz)


def month_of(at: dt.datetime) -> dt.date:
    return kpi.month_of(at.astimezone(firm_calendar().tz).date())


def is_final(month: dt.date, *, now: dt.datetime) -> bool:
    """Over, and nothing started in it can still turn from not counted to met."""
    start, end = month_start(month), month_start(kpi.add_months(month, 1))
    if now < end:
        return False
    pending = (
        PreReview.objects.filter(
            started_at__gte=start, started_at__lt=end, finished_at__isnull=True, due_at__gte=now
        ).exists()
        or Incident.objects.filter(
            raised_at__gte=start,
            raised_at__lt=end,
            acknowledged_at__isnull=True,
            response_due__gte=now,
        ).exists()
    )
    return not pending


def kept(months: list[dt.date], *, catalog: int | None) -> dict[dt.date, Month]:
    out = {}
    rows = KpiMonth.objects.filter(month__in=months, catalog_version=catalog)
    for month, figures in rows.values_list("month", "figures"):
        try:
            out[month] = kpi.figures_from_json(figures)
        except (KeyError, TypeError, ValueError):  # not what we write: made again
            log.warning("KPI month %s: kept figures unreadable, recomputed", month)
    return out


def keep(months: dict[dt.date, Month], *, catalog: int | None, now: dt.datetime) -> None:
    """Store (or replace) these months' figures; a concurrent writer of the same month wins."""
    if not months:
        return
    with transaction.atomic():
        KpiMonth.objects.filter(month__in=list(months)).delete()
        rows = [
            KpiMonth(
                month=month,
                catalog_version=catalog,
                figures=kpi.figures_as_json(figures, services),
                computed_at=now,
            )
            for month, (figures, services) in months.items()
        ]
        try:
            with transaction.atomic():
                KpiMonth.objects.bulk_create(rows)
        except IntegrityError:
            pass


def forget(first: dt.date, last: dt.date | None = None) -> None:
    """Delete the months' rows now, and again once the change commits: a reader that
    computed a month before the change could otherwise store it in between."""
    months = KpiMonth.objects.filter(month__gte=first, month__lte=last or first)
    months.delete()
    transaction.on_commit(months.delete)


def forget_all(sender=None, **kwargs) -> None:
    """A service's standard days changed (or a service went): every month used them."""
    KpiMonth.objects.all().delete()
    transaction.on_commit(KpiMonth.objects.all().delete)


# -- what a change touches ----------------------------------------------------------------------


def case_changed(sender, instance, **kwargs) -> None:
    """A case counts as a purchase in the repeat windows of its intake month and the 11
    after it (its state may have left or joined the purchases), and as a delivery in its
    delivery month (its service, its deadline)."""
    if instance.created_at is None:
        return
    first = month_of(instance.created_at)
    forget(first, kpi.add_months(first, kpi.REPEAT_WINDOW_MONTHS - 1))
    _forget_delivery_of(instance.pk)


def delivery_changed(sender, instance, **kwargs) -> None:
    forget(month_of(instance.delivered_at))


def case_part_changed(sender, instance, **kwargs) -> None:
    """An error after delivery, counted in the case's delivery month."""
    _forget_delivery_of(instance.case_id)


def finding_changed(sender, instance, **kwargs) -> None:
    """A review finding, counted as caught in review in the case's delivery month."""
    _forget_delivery_of(instance.review.case_id)


def review_changed(sender, instance, **kwargs) -> None:
    """A review: its findings are written in bulk (no signal of their own) with it."""
    _forget_delivery_of(instance.case_id)


def dated_by(field: str):
    """A record counted in the month of its own `field` (a rating, a pre-review, an incident)."""

    def changed(sender, instance, **kwargs) -> None:
        at = getattr(instance, field)
        if at is not None:
            forget(month_of(at))

    return changed


def _forget_delivery_of(case_id: int | None) -> None:
    if case_id is None:
        return
    delivered = Delivery.objects.filter(case_id=case_id).values_list("delivered_at", flat=True)
    for at in delivered:
        forget(month_of(at))
