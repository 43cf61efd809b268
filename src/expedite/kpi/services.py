"""Writes for the KPIs: a case's first delivery (a lifecycle follower) and an error found in a
delivered result (one transaction, one audit event)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.clocks import clocks_from_json
from expedite.cases.lifecycle import STATE_NAMES
from expedite.cases.models import Case
from expedite.domain import kpi
from expedite.domain.audit import AuditKind
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.roles import Capability
from expedite.domain.text import clean_text
from expedite.workdays.selectors import firm_calendar

from . import rollups
from .models import Delivery, DeliveryError, KpiMonth
from .selectors import KpiFilters, computed_months

# A result exists from delivery on; an error in it can be found while or after it is confirmed.
DELIVERED_STATES = frozenset(
    {CaseState.DELIVERED.value, CaseState.CONFIRMED.value, CaseState.CLOSED.value}
)
TEXT_MAX = 1000


def firm_workdays(case: Case, at: dt.datetime) -> Decimal:
    """The firm's clock of the case at `at`, in working days of the firm's calendar."""
    cal = firm_calendar()
    elapsed = clocks_from_json(case.clocks, firm=cal).firm.elapsed(at)
    return Decimal(elapsed / cal.hours.day_length).quantize(Decimal("0.01"))


def on_transition(case: Case, previous: CaseState, actor, now: dt.datetime) -> None:
    """The first move to `delivered` records when, and how long the case had taken."""
    if case.state != CaseState.DELIVERED.value:
        return
    Delivery.objects.get_or_create(
        case=case, defaults={"delivered_at": now, "workdays": firm_workdays(case, now)}
    )


@transaction.atomic
def delivery_error_record(
    *,
    actor,
    case: Case,
    found_on: dt.date | None,
    description: str,
    remedy: str = "",
    now: dt.datetime,
) -> DeliveryError:
    """Record an error found in a delivered result; it counts against the zero-error rate of
    the month the case was delivered (docs/kpi.md)."""
    if not user_can(actor, Capability.RECORD_DELIVERY_ERROR):
        raise NotAllowed(_("您的角色无权登记交付后差错。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    delivery = Delivery.objects.filter(case=case).first()
    if case.state not in DELIVERED_STATES and delivery is None:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，尚未交付，发现的问题请在复核中处理。"),
            field="state",
            params={"state": str(STATE_NAMES.get(case.state, case.state))},
        )
    if found_on is None:
        raise ValidationFailed(gettext_noop("请填写发现日期。"), field="found_on")
    today = now.astimezone(firm_calendar().tz).date()
    delivered_on = delivery.delivered_at.astimezone(firm_calendar().tz).date() if delivery else None
    if found_on > today or (delivered_on and found_on < delivered_on):
        raise ValidationFailed(
            gettext_noop("发现日期应在交付日（%(delivered)s）与今天（%(today)s）之间。"),
            field="found_on",
            params={"delivered": delivered_on or "—", "today": today},
        )
    description = clean_text(
        description, field="description", label=gettext_noop("差错说明"), max_length=TEXT_MAX
    )
    remedy = clean_text(
        remedy, field="remedy", label=gettext_noop("补救措施"), max_length=TEXT_MAX, required=False
    )
    error = DeliveryError.objects.create(
        case=case,
        found_on=found_on,
        description=description,
        remedy=remedy,
        recorded_by=actor,
        recorded_at=now,
    )
    audit_record(
        kind=AuditKind.DELIVERY_ERROR_RECORDED,
        actor=actor,
        case=case,
        payload={
            "error": error.pk,
            "found_on": found_on.isoformat(),
            "description": description,
            "remedy": remedy,
        },
    )
    return error


# Months the nightly job keeps current: the longest period the dashboard shows.
REFRESH_MONTHS = 36


def kpi_months_refresh(*, now: dt.datetime) -> dict:
    """Make again the firm's kept figures of the months that can no longer change, three
    years back and any older month kept: a row that a concurrent change left behind lasts at
    most a night. Idempotent: running it twice keeps the same rows."""
    last = kpi.add_months(kpi.month_of(now.astimezone(firm_calendar().tz).date()), -1)
    first = kpi.add_months(last, -(REFRESH_MONTHS - 1))
    # Older months someone has looked at are kept too: make those again as well.
    oldest = KpiMonth.objects.order_by("month").values_list("month", flat=True).first()
    first = min(first, oldest) if oldest else first
    catalog = rollups.catalog_key()
    months = computed_months(KpiFilters(first=first, last=last), now=now)
    final = {m.month: (m, s) for m, s in months if rollups.is_final(m.month, now=now)}
    rollups.keep(final, catalog=catalog, now=now)
    return {"months": len(final)}
