"""The fee ledger: record what an expedite cost, and compare the quote with the actual."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.roles import Capability
from expedite.domain.text import clean_text

from .models import COST_KIND_CHOICES, Case, CostEntry

MAX_AMOUNT = Decimal("10000000")


def _decimal(raw, field: str, label: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationFailed(
            gettext_noop("%(label)s应为数字。"), field=field, params={"label": label}
        ) from None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise ValidationFailed(
            gettext_noop("%(label)s不合理。"), field=field, params={"label": label}
        )
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def cost_entry_add(
    *,
    actor,
    case: Case,
    kind: str,
    description: str,
    amount,
    hours=None,
    person=None,
    day: dt.date | None = None,
) -> CostEntry:
    """One line of the ledger; negative amounts correct earlier lines."""
    if not user_can(actor, Capability.RECORD_COST):
        raise NotAllowed(_("您的角色无权记录费用。"))
    if kind not in dict(COST_KIND_CHOICES):
        raise ValidationFailed(_("请选择费用类别。"), field="kind")
    description = clean_text(
        description, field="description", label=gettext_noop("说明"), max_length=200
    )
    value = _decimal(amount, "amount", gettext_noop("金额"))
    if value is None or value == 0:
        raise ValidationFailed(_("请填写金额（更正时可填负数）。"), field="amount")
    worked = _decimal(hours, "hours", gettext_noop("工时"))
    if kind == "overtime":
        # A correction (negative amount) takes back hours too.
        if worked is None or worked == 0 or person is None or (worked > 0) != (value > 0):
            raise ValidationFailed(
                _("加班工时须写明人员和工时（更正时工时与金额同为负数）。"), field="hours"
            )
    elif worked is not None:
        raise ValidationFailed(_("只有加班工时记录工时。"), field="hours")
    entry = CostEntry.objects.create(
        case=case,
        kind=kind,
        description=description,
        amount=value,
        hours=worked,
        person=person,
        day=day,
        recorded_by=actor,
    )
    audit_record(
        kind=AuditKind.COST_RECORDED,
        actor=actor,
        case=case,
        payload={
            "entry": entry.pk,
            "kind": kind,
            "description": description,
            "amount": str(value),
            "hours": str(worked) if worked is not None else None,
            "person": staff_display_name(person) if person else None,
            "day": day.isoformat() if day else None,
        },
    )
    return entry


def fee_comparison(case: Case) -> dict:
    """The quoted fee (from the triage's recommended option) against what was recorded."""
    fee = (case.triage.get("recommended_option") or {}).get("fee") or {}
    entries = list(case.costs.select_related("person"))
    by_kind: dict[str, Decimal] = {}
    for e in entries:
        by_kind[e.kind] = by_kind.get(e.kind, Decimal(0)) + e.amount
    extra = sum(by_kind.values(), Decimal(0))
    base = Decimal(fee.get("base", 0))
    quoted = Decimal(fee.get("total", 0))
    return {
        "entries": [
            {
                "entry": e,
                "person_name": staff_display_name(e.person) if e.person else "",
            }
            for e in entries
        ],
        "by_kind": [(dict(COST_KIND_CHOICES)[k], v) for k, v in by_kind.items()],
        "quoted": quoted,
        "quoted_extra": quoted - base,
        "actual_extra": extra,
        "base": base,
        "percent_over_base": round(extra / base * 100, 1) if base else None,
        "hours": sum((e.hours or 0 for e in entries if e.kind == "overtime"), Decimal(0)),
    }
