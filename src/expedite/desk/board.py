"""The board: my cases, the queue, due today, at risk, stale tracks, workload, who waits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from expedite.accounts.selectors import staff_display_name
from expedite.approvals.selectors import pending_for
from expedite.cases.models import Case
from expedite.custody.selectors import overdue_items, unconfirmed_movements
from expedite.materials.selectors import overdue_prereviews
from expedite.monitoring.selectors import at_risk_case_ids, open_incidents, pending_warnings
from expedite.work.load import wait_rows, workload
from expedite.work.models import Assignment, StepRun
from expedite.work.selectors import (
    CaseProjection,
    _active_cases,
    case_projection,
    demands,
    stale_tracks,
    step_delays,
    waits,
)
from expedite.workdays.selectors import firm_calendar


@dataclass(frozen=True, slots=True)
class Row:
    case: Case
    projection: CaseProjection
    roles: dict[str, str]  # role → person's name


def _rows(cases, now: dt.datetime) -> list[Row]:
    cal = firm_calendar()
    cases = list(cases)
    runs = defaultdict(list)
    for r in StepRun.objects.filter(case__in=cases).select_related("track"):
        runs[r.case_id].append(r)
    team = defaultdict(dict)
    for a in Assignment.objects.filter(case__in=cases, user__isnull=False).select_related("user"):
        team[a.case_id][a.role] = staff_display_name(a.user)
    delays = step_delays(runs)
    return [
        Row(
            c,
            case_projection(c, now=now, cal=cal, runs=runs[c.pk], delays=delays.get(c.pk, {})),
            team[c.pk],
        )
        for c in cases
    ]


def _listed():
    """Running cases as the board lists them: without the intake, triage and clocks it never
    shows (decoding them was most of the board's time)."""
    return _active_cases().defer("intake", "triage", "clocks")


# Rows a section of the board lists; the queue pages on through the rest.
PAGE = 20
WAITS_SHOWN = 30


@dataclass(frozen=True, slots=True)
class Section:
    rows: list[Row]
    total: int  # how many cases the section holds, of which `rows` are the first

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


def _day_bounds(today: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def board(*, user, now: dt.datetime, page: int = 1) -> dict:
    """What the viewer must act on, and the firm's running cases a page at a time. Only the
    cases listed are projected: the board costs what it shows, not what the firm holds."""
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    active = _listed().order_by("-priority", "requested_deadline", "pk")
    total = active.count()
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 1), pages)
    start, end = _day_bounds(today, cal.tz)
    # Due today: the requested deadline, or an unfinished step the plan finishes today.
    due_steps = StepRun.objects.filter(
        finished_at__isnull=True, planned_finish__gte=start, planned_finish__lt=end
    ).values("case_id")
    querysets = {
        "mine": active.filter(held_by(user)),
        "at_risk": active.filter(pk__in=at_risk_case_ids()),
        "due_today": active.filter(Q(requested_deadline=today) | Q(pk__in=due_steps)),
    }  # fmt: skip
    listed = {name: list(qs[:PAGE]) for name, qs in querysets.items()}
    listed["queue"] = list(active[(page - 1) * PAGE : page * PAGE])
    cases = {c.pk: c for found in listed.values() for c in found}
    rows = {r.case.pk: r for r in _rows(cases.values(), now)}

    def section(name: str, keep=lambda r: True) -> Section:
        shown = [rows[c.pk] for c in listed[name] if keep(rows[c.pk])]
        counted = total if name == "queue" else querysets[name].count()
        return Section(shown, max(counted, len(shown)))

    def risky(r: Row) -> bool:
        return r.projection.at_risk or r.projection.late

    def at_risk() -> Section:
        # The cases the watch has warned of, and any other case drawn here that is at risk now
        # (the watch runs every minute; the viewer's own cases need not wait for it).
        warned = section("at_risk", risky)
        seen = {r.case.pk for r in warned.rows}
        more = [r for r in rows.values() if r.case.pk not in seen and risky(r)]
        if not more:
            return warned
        order = sorted([*warned.rows, *more], key=lambda r: (-r.case.priority,
                       r.case.requested_deadline, r.case.pk))  # fmt: skip
        counted = set(
            querysets["at_risk"]
            .filter(pk__in=[r.case.pk for r in more])
            .values_list("pk", flat=True)
        )
        extra = sum(1 for r in more if r.case.pk not in counted)
        return Section(order[:PAGE], warned.total + extra)

    return {
        "mine": section("mine"),
        "queue": section("queue"),
        "queue_page": page,
        "queue_pages": pages,
        "due_today": section("due_today", lambda r: _due(r, today, cal)),
        # A warning the watch has not yet cleared is not shown once the projection is safe.
        "at_risk": at_risk(),
        **_stale(now),
        # The client's seals and licences held past their return date, and handovers the other
        # party has not confirmed; approvals waiting on this user.
        "custody_overdue": list(overdue_items(now)[:20]),
        "custody_unconfirmed": list(unconfirmed_movements()[:20]),
        "my_approvals": list(pending_for(user)[:20]),
        "prereviews_overdue": list(overdue_prereviews(now)[:20]),
        **_monitoring(now),
        "today": today,
        "workday": cal.is_workday(today),
        "sync_time": settings.EXPEDITE_SYNC_TIME,
        "feedback_time": settings.EXPEDITE_CLIENT_FEEDBACK_TIME,
    }


def _stale(now: dt.datetime) -> dict:
    tracks = stale_tracks(now=now)
    shown = list(tracks[:PAGE])
    return {"stale": shown, "stale_more": tracks.count() - len(shown) if len(shown) == PAGE else 0}


def held_by(user) -> Q:
    """A case `user` holds a role in or opened. Two indexed lookups: a join of every case to
    its assignments, filtered by "either", scanned the whole firm."""
    return Q(pk__in=Assignment.objects.filter(user=user).values("case_id")) | Q(created_by=user)


def personal(*, user, now: dt.datetime) -> dict[str, list[Row]]:
    """All of `user`'s running cases that are at risk or due today (the daily digest): as many
    as one person holds, however many the firm does."""
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    mine = _listed().filter(held_by(user))
    rows = _rows(mine.order_by("-priority", "requested_deadline", "pk"), now)
    return {
        "today": today,
        "at_risk": [r for r in rows if r.projection.at_risk or r.projection.late],
        "due_today": [r for r in rows if _due(r, today, cal)],
    }


def _due(r: Row, today: dt.date, cal) -> bool:
    return r.case.requested_deadline == today or any(
        v.state != "done" and v.finish.astimezone(cal.tz).date() == today
        for v in r.projection.steps
    )


def board_load(*, now: dt.datetime) -> dict:
    """The firm's load and who waits for whom: every running case's demands, so drawn after
    the board, on its own request."""
    found = demands(now=now)
    # The longest waits first, as many as a page shows; the rest are counted.
    waiting = sorted(waits(now=now, found=found), key=lambda w: (-w.workdays, w.case_id))
    shown = waiting[:WAITS_SHOWN]
    cases = _active_cases().filter(pk__in={w.case_id for w in shown})
    projections = {r.case.pk: r.projection for r in _rows(cases, now)}
    return {
        "waits": wait_rows(shown, projections),
        "waits_more": len(waiting) - len(shown),
        **workload(now=now, found=found),
    }


def _monitoring(now: dt.datetime) -> dict:
    return {"open_incidents": open_incidents(now=now), "pending_warnings": list(pending_warnings())}
