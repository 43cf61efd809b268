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
from django.db import connection
from django.db.models import Q
from django.utils.translation import get_language

from expedite.workdays.selectors import calendar_version

from .models import CaseRecheck

BATCH = 2000
STORE_CLOCK = (
    "UPDATE monitoring_caserecheck SET due_at = %s"
    " WHERE case_id = %s AND end_us = %s AND drift_us = %s"
)


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


def recheck_clock_only(case_ids: list[int], *, now: dt.datetime, stamp: str) -> dict:
    """Of those, the cases due by their clock alone, inputs unchanged: {case: (end, drift)}."""
    found = {}
    for i in range(0, len(case_ids), BATCH):
        found.update(
            (pk, (end, drift))
            for pk, end, drift in CaseRecheck.objects.filter(
                case_id__in=case_ids[i : i + BATCH],
                dirty=False,
                stamp=stamp,
                due_at__lte=now,
                end_us__isnull=False,
            ).values_list("case_id", "end_us", "drift_us")
        )
    return found


def recheck_claim(case_ids: list[int], *, now: dt.datetime, stamp: str) -> None:
    """Taken before the inputs are read: a change landing after it marks the row again, and
    a run that dies before `recheck_store` leaves the case due."""
    rows = [CaseRecheck(case_id=pk, dirty=False, due_at=now, stamp=stamp) for pk in case_ids]
    CaseRecheck.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["dirty", "due_at", "stamp", "end_us", "drift_us"],
    )


def recheck_store(due: dict[int, tuple[dt.datetime | None, tuple[int, int] | None]]) -> None:
    """The next time each claimed case must be projected, and its end and drift; the dirty
    flag is left alone."""
    rows = [
        CaseRecheck(
            case_id=pk,
            due_at=at,
            end_us=found[0] if found else None,
            drift_us=found[1] if found else None,
        )
        for pk, (at, found) in sorted(due.items())
    ]
    CaseRecheck.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["due_at", "end_us", "drift_us"],
    )


def recheck_store_clock(due: dict[int, dt.datetime], seen: dict[int, tuple[int, int]]) -> None:
    """The next time of cases looked at by their clock alone, each only if its end and drift
    are still those the run read: another worker may have projected it anew meanwhile."""
    adapt = connection.ops.adapt_datetimefield_value
    # One statement run per row: as an ORM CASE expression the rows cost more to build
    # than the projections they spare.
    with connection.cursor() as cursor:
        cursor.executemany(
            STORE_CLOCK, [(adapt(at), pk, seen[pk][0], seen[pk][1]) for pk, at in due.items()]
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
    """A step or step delay of a case was saved."""
    if not kwargs.get("raw"):
        recheck_mark(instance.case_id)


def warning_saved(sender, instance, created, **kwargs) -> None:
    """A warning reworded, dismissed or cleared by hand; the ones the watch opens (and the
    external ones, which it does not read) mark nothing."""
    if not created and not kwargs.get("raw"):
        recheck_mark(instance.case_id)


def part_deleted(sender, instance, **kwargs) -> None:
    # No insert here: the case itself may be going; a case without a row is examined anyway.
    CaseRecheck.objects.filter(case_id=instance.case_id).update(dirty=True)
