"""Which running cases the SLA watch projects: those whose inputs changed and those whose
clocks reach a point where a warning may start, stop or be restated (domain/recheck.py).

Every save of a case, a step, a step delay or a warning marks its case through the model
signals, so no write path has to remember it; the calendar version, the slack threshold and
the language are in each row's stamp, so a calendar edit or a new threshold re-examines all.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models import Q
from django.utils.translation import get_language

from expedite.workdays.selectors import calendar_version

from .models import CaseRecheck

BATCH = 2000


def recheck_stamp() -> str:
    """What every projection of a run shares besides `now`: a row made under another is stale."""
    shared = f"{calendar_version()}|{settings.EXPEDITE_AT_RISK_SLACK_HOURS}|{get_language()}"
    return hashlib.sha256(shared.encode()).hexdigest()[:40]


def recheck_due(cases, *, now: dt.datetime, stamp: str):
    """The running cases a run must project: marked, due, stale, or without a row."""
    due = CaseRecheck.objects.filter(Q(dirty=True) | Q(due_at__lte=now) | ~Q(stamp=stamp)).values(
        "case_id"
    )
    return cases.filter(Q(pk__in=due) | ~Q(pk__in=CaseRecheck.objects.values("case_id")))


def recheck_claim(case_ids: list[int], *, now: dt.datetime, stamp: str) -> None:
    """Taken before the inputs are read: a change landing after it marks the row again, and
    a run that dies before `recheck_store` leaves the case due."""
    rows = [CaseRecheck(case_id=pk, dirty=False, due_at=now, stamp=stamp) for pk in case_ids]
    CaseRecheck.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["dirty", "due_at", "stamp"],
    )


def recheck_store(due: dict[int, dt.datetime | None]) -> None:
    """The next time each claimed case must be projected; the dirty flag is left alone."""
    rows = [CaseRecheck(case_id=pk, due_at=at) for pk, at in due.items()]
    CaseRecheck.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["due_at"],
    )


def recheck_mark(case_id: int | None) -> None:
    if case_id is None:
        return
    CaseRecheck.objects.bulk_create(
        [CaseRecheck(case_id=case_id, dirty=True)],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["dirty"],
    )


def case_saved(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw"):
        recheck_mark(instance.pk)


def part_saved(sender, instance, **kwargs) -> None:
    """A step, step delay or warning of a case was saved."""
    if not kwargs.get("raw"):
        recheck_mark(instance.case_id)


def part_deleted(sender, instance, **kwargs) -> None:
    # No insert here: the case itself may be going; a case without a row is examined anyway.
    CaseRecheck.objects.filter(case_id=instance.case_id).update(dirty=True)
