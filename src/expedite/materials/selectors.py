"""Reading material submissions and pre-review rounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from expedite.cases.models import Case
from expedite.cases.plans import definition_for
from expedite.domain.catalog import Material
from expedite.domain.errors import NotFound
from expedite.workdays.selectors import firm_calendar

from .models import EXPIRING, INVALID, MISSING, OK, MaterialSubmission, PreReview


def checklist(case: Case) -> tuple[Material, ...]:
    """The case's materials, from the catalog version it was opened under (none when the
    service has left the catalog: the case page says so elsewhere)."""
    try:
        return definition_for(case).materials
    except NotFound:
        return ()


def open_round(case: Case) -> PreReview | None:
    return case.prereviews.filter(finished_at__isnull=True).order_by("-round").first()


def latest_finished(case: Case) -> PreReview | None:
    return case.prereviews.filter(finished_at__isnull=False).order_by("-round").first()


def submissions_since(case: Case, since: dt.datetime) -> QuerySet[MaterialSubmission]:
    return case.material_submissions.filter(uploaded_at__gt=since)


def overdue_prereviews(now: dt.datetime) -> QuerySet[PreReview]:
    """Rounds past their two working hours and not yet finished, the longest overdue first."""
    return (
        PreReview.objects.filter(finished_at__isnull=True, due_at__lt=now)
        .select_related("case", "case__client", "case__service")
        .order_by("due_at")
    )


# What the client and staff see per item.
WAITING, PENDING = "waiting", "pending"
STATE_LABELS = {
    WAITING: _("未上传"),
    PENDING: _("待预审"),
    OK: _("合格"),
    MISSING: _("缺少"),
    INVALID: _("需补正"),
    EXPIRING: _("即将过期"),
}


@dataclass(frozen=True, slots=True)
class ItemState:
    material: Material
    latest: MaterialSubmission | None
    versions: list[MaterialSubmission]
    state: str  # waiting | pending | ok | missing | invalid | expiring
    note: str  # the reviewer's reason (or the expiry date)

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def badge(self) -> str:
        return {OK: "state-running", MISSING: "warn", INVALID: "warn", EXPIRING: "provisional"}.get(
            self.state, ""
        )

    @property
    def needs_action(self) -> bool:
        return self.state in (MISSING, INVALID, EXPIRING) or (
            self.state == WAITING and self.material.required
        )


def item_states(case: Case, *, finished=...) -> list[ItemState]:
    """Each checklist item: its versions, and its state after the last finished round.

    A version newer than that round's verdict is waiting for the next round (待预审).
    """
    versions: dict[str, list[MaterialSubmission]] = {}
    for s in case.material_submissions.select_related("uploaded_by").order_by("item", "-version"):
        versions.setdefault(s.item, []).append(s)
    if finished is ...:  # `finished`: the latest finished round, when the caller has it
        finished = latest_finished(case)
    rows = []
    for m in checklist(case):
        mine = versions.get(m.code, [])
        latest = mine[0] if mine else None
        verdict = (finished.verdicts.get(m.code) if finished else None) or {}
        newer = latest is not None and (
            finished is None or latest.uploaded_at > finished.finished_at
        )
        if newer:
            state, note = PENDING, ""
        elif verdict:
            state = verdict["verdict"]
            note = verdict.get("date", "") if state == EXPIRING else verdict.get("reason", "")
            if state == EXPIRING and verdict.get("reason"):
                note = f"{note} {verdict['reason']}"
        else:
            state, note = (WAITING, "") if latest is None else (PENDING, "")
        rows.append(ItemState(m, latest, mine, state, note))
    return rows


def stored_versions(case_id: int | None):
    """(label, storage name, recorded SHA-256) of every version of every material submitted,
    for the record's check (registered with expedite.audit.verify)."""
    submissions = MaterialSubmission.objects.all()
    if case_id is not None:
        submissions = submissions.filter(case_id=case_id)
    for sub in submissions.order_by("pk"):
        yield f"{sub.name} v{sub.version}", sub.file.name, sub.sha256


def open_corrections(finished: PreReview | None, items: list[ItemState]) -> list[ItemState]:
    """The items of the round's 一次性告知 the client has not sent again since: the notice is
    open while this is not empty."""
    if finished is None or not finished.notice:
        return []
    listed = finished.problems
    return [s for s in items if s.material.code in listed and s.state != PENDING]


def correction_due(finished: PreReview) -> dt.datetime:
    """When the corrections are due: EXPEDITE_CORRECTION_HOURS of the firm's working time after
    the notice (a notice at 17:30 with the default 7.5 hours is due at 17:30 the next working
    day)."""
    hours = dt.timedelta(hours=settings.EXPEDITE_CORRECTION_HOURS)
    return firm_calendar().add_working_time(finished.finished_at, hours)
