"""Reads for the radar pages and the KPI figure."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from expedite.accounts.selectors import user_can
from expedite.domain.errors import NotAllowed, NotFound, gettext_noop
from expedite.domain.roles import Capability
from expedite.workdays.selectors import firm_calendar

from .models import OutreachOutcome, RadarOutreach, RadarScore, RadarVersion

SHOWN = 30  # clients on the radar page: this week's calls, not the whole client list
# Worth a call: a fair chance of an expedite, or something to start within two working weeks.
CALL_FROM = 0.10
CALL_WITHIN_WORKDAYS = 10


def call_by(today: dt.date) -> dt.date:
    """The last day whose latest start makes a client worth a call today."""
    return firm_calendar().add_workdays(today, CALL_WITHIN_WORKDAYS)


def may_use_radar(user) -> bool:
    return user_can(user, Capability.USE_RADAR)


def _check(user) -> None:
    if not may_use_radar(user):
        raise NotAllowed(gettext_noop("您的角色无权使用需求雷达。"))


def latest_version(*, user) -> RadarVersion | None:
    _check(user)
    return RadarVersion.objects.first()


def radar_rows(*, user, call_by: dt.date, limit: int = SHOWN) -> list[RadarScore]:
    """The clients worth a call now (a fair chance of an expedite, or an obligation to start
    within two working weeks), highest value first; each obligation with its outreach."""
    _check(user)
    worth = Q(p30__gte=CALL_FROM) | Q(next_start__lte=call_by)
    scores = list(
        RadarScore.objects.filter(worth).select_related("client").order_by("-value", "pk")[:limit]
    )
    done = {}
    for o in RadarOutreach.objects.filter(client_id__in=[s.client_id for s in scores]):
        done.setdefault((o.client_id, o.code, o.due.isoformat()), o)
    for s in scores:
        for up in s.ahead:
            up["outreach"] = done.get((s.client_id, up["code"], up["due"]))
    return scores


def quiet_clients(*, user, call_by: dt.date) -> int:
    """How many scored clients the page leaves out as not worth a call this week."""
    _check(user)
    worth = Q(p30__gte=CALL_FROM) | Q(next_start__lte=call_by)
    return RadarScore.objects.exclude(worth).count()


def worth_a_call(*, user, call_by: dt.date) -> int:
    """How many clients are worth a call this week (the page shows the first SHOWN)."""
    _check(user)
    return RadarScore.objects.filter(Q(p30__gte=CALL_FROM) | Q(next_start__lte=call_by)).count()


def recent_outreach(*, user, limit: int = 20):
    """Outreach still waiting for an outcome first (all of them), then the newest others."""
    _check(user)
    rows = RadarOutreach.objects.select_related("client", "case", "proposed_by")
    waiting = list(rows.filter(outcome=OutreachOutcome.PENDING))
    return waiting + list(
        rows.exclude(outcome=OutreachOutcome.PENDING)[: max(0, limit - len(waiting))]
    )


def client_score(*, user, client_id: int) -> RadarScore | None:
    _check(user)
    return RadarScore.objects.filter(client_id=client_id).select_related("version").first()


def outreach(*, user, pk: int) -> RadarOutreach:
    _check(user)
    found = RadarOutreach.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext_noop("没有这条联系记录。"))
    return found


# A case the outreach opened counts as planned work once the client accepted it on the
# standard path (never expedited).
ENDED_STATES = ("declined", "cancelled")
PLANNED_STATES = (
    "accepted",
    "materials",
    "in_progress",
    "on_hold",
    "review",
    "delivered",
    "confirmed",
    "closed",
)


def outreach_figure(
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    client: int | None = None,
    service: str = "",
) -> dict:
    """Of the would-be expedites the radar flagged (outreach whose outcome is known), how
    many became standard-track work."""
    rows = RadarOutreach.objects.all()
    if start is not None:
        rows = rows.filter(proposed_at__gte=start)
    if end is not None:
        rows = rows.filter(proposed_at__lt=end)
    if client is not None:
        rows = rows.filter(client_id=client)
    if service:
        rows = rows.filter(service=service)
    converted = open_ = flagged = 0
    for outcome, state, verdict in rows.values_list("outcome", "case__state", "case__verdict"):
        flagged += 1
        planned = state in PLANNED_STATES and verdict not in ("expedite", "infeasible")
        if outcome == OutreachOutcome.CONVERTED or (outcome == OutreachOutcome.PENDING and planned):
            converted += 1
        elif outcome == OutreachOutcome.PENDING and state not in ENDED_STATES:
            open_ += 1  # a declined or cancelled case decides it: not converted
    decided = flagged - open_
    return {
        "flagged": flagged,
        "converted": converted,
        "open": open_,
        "decided": decided,
        "share": converted / decided if decided else None,
    }
