"""Reads for calendar feeds: what a person's or a case's calendar holds.

A person's calendar: the deadlines of the open cases they are on, the steps planned for them,
the reviews they did, the handovers they took part in, and the seals and licences they hold
that are due back. A case's calendar: its deadline, its planned steps, its reviews, its
items' handovers and returns. Both cover a window around today and stop at MAX_EVENTS, so a
feed costs what it shows: one query per kind of event, whatever the count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name
from expedite.cases.models import Case
from expedite.custody.models import CustodyItem, CustodyMovement
from expedite.domain.cases import CaseState
from expedite.domain.custody import ItemState
from expedite.reviews.models import Review
from expedite.work.models import Assignment, StepRun

PAST_DAYS = 30
AHEAD_DAYS = 180
MAX_EVENTS = 500
# A review or a handover is recorded at an instant; it shows as this long in a calendar.
REVIEW_LENGTH = dt.timedelta(minutes=30)
HANDOVER_LENGTH = dt.timedelta(minutes=15)
CLOSED = (CaseState.CLOSED.value, CaseState.CANCELLED.value, CaseState.DECLINED.value)


@dataclass(frozen=True, slots=True)
class Event:
    uid: str  # stable across reads, so calendar apps update an event rather than add one
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    description: str
    url: str


def _link(case: Case) -> str:
    return settings.EXPEDITE_PUBLIC_URL.rstrip("/") + reverse("case_detail", args=[case.pk])


def _title(case: Case) -> str:
    return f"{case.reference} {case.client.name}"


def _describe(case: Case | None, *lines: str) -> str:
    # Calendar apps show the description far more readily than the URL property.
    if case is not None:
        lines = (*lines, _("加急单 %(ref)s") % {"ref": case.reference}, _link(case))
    return "\n".join(line for line in lines if line)


def _deadline(case: Case) -> Event:
    day = case.requested_deadline
    return Event(
        uid=f"case-{case.pk}-deadline",
        summary=_("截止：%(case)s") % {"case": _title(case)},
        start=day,
        end=day + dt.timedelta(days=1),
        description=_describe(case, case.reason),
        url=_link(case),
    )


def _step(step: StepRun) -> Event:
    return Event(
        uid=f"step-{step.pk}",
        summary=_("%(step)s · %(case)s") % {"step": step.name, "case": _title(step.case)},
        start=step.planned_start,
        end=max(step.planned_finish, step.planned_start + dt.timedelta(minutes=15)),
        description=_describe(step.case, _("计划步骤")),
        url=_link(step.case),
    )


def _review(review: Review) -> Event:
    verdict = _("通过") if review.passed else _("未通过")
    return Event(
        uid=f"review-{review.pk}",
        summary=_("复核：%(case)s") % {"case": _title(review.case)},
        start=review.created_at,
        end=review.created_at + REVIEW_LENGTH,
        description=_describe(review.case, f"{review.get_stage_display()} · {verdict}"),
        url=_link(review.case),
    )


def _handover(move: CustodyMovement) -> Event:
    item = move.item
    giver = staff_display_name(move.from_user) or move.from_client
    taker = staff_display_name(move.to_user) or move.to_client
    return Event(
        uid=f"handover-{move.pk}",
        summary=_("交接：%(item)s · %(client)s") % {"item": str(item), "client": item.client.name},
        start=move.at,
        end=move.at + HANDOVER_LENGTH,
        description=_describe(
            item.case,
            f"{move.get_kind_display()} · {move.purpose}",
            _("%(giver)s 交给 %(taker)s") % {"giver": giver, "taker": taker},
        ),
        url=_link(item.case) if item.case else "",
    )


def _return(item: CustodyItem) -> Event:
    day = item.expected_return
    return Event(
        uid=f"custody-{item.pk}-return",
        summary=_("归还：%(item)s · %(client)s") % {"item": str(item), "client": item.client.name},
        start=day,
        end=day + dt.timedelta(days=1),
        description=_describe(item.case, _("预计归还客户")),
        url=_link(item.case) if item.case else "",
    )


def _window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=AHEAD_DAYS)


def _instants(first: dt.date, last: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(last, dt.time.max, tzinfo=tz)


def person_events(user, *, today: dt.date, tz) -> list[Event]:
    first, last = _window(today)
    since, until = _instants(first, last, tz)
    mine = Assignment.objects.filter(user=user)
    cases = Case.objects.filter(
        pk__in=mine.values("case_id"), requested_deadline__range=(first, last)
    ).select_related("client")
    # A step is theirs by the schedule, or, left unscheduled, by their role on its case.
    by_role = mine.filter(case_id=OuterRef("case_id"), role=OuterRef("role"))
    steps = StepRun.objects.alias(by_role=Exists(by_role)).filter(
        Q(assignee=user) | Q(assignee__isnull=True, by_role=True),
        planned_start__range=(since, until),
    )
    reviews = Review.objects.filter(reviewer=user, created_at__range=(since, until))
    moves = CustodyMovement.objects.filter(
        Q(from_user=user) | Q(to_user=user), at__range=(since, until)
    )
    items = CustodyItem.objects.filter(
        holder=user, state=ItemState.IN_FIRM, expected_return__range=(first, last)
    )
    return _collect(cases, steps, reviews, moves, items)


def case_events(case: Case, *, today: dt.date, tz) -> list[Event]:
    first, last = _window(today)
    since, until = _instants(first, last, tz)
    cases = Case.objects.filter(pk=case.pk).select_related("client")
    steps = StepRun.objects.filter(case=case, planned_start__range=(since, until))
    reviews = Review.objects.filter(case=case, created_at__range=(since, until))
    moves = CustodyMovement.objects.filter(item__case=case, at__range=(since, until))
    items = CustodyItem.objects.filter(
        case=case, state=ItemState.IN_FIRM, expected_return__range=(first, last)
    )
    return _collect(cases, steps, reviews, moves, items)


def _collect(cases, steps, reviews, moves, items) -> list[Event]:
    """Due dates and plans come first, so a full calendar drops history before what is ahead."""
    cases = cases.exclude(state__in=CLOSED).order_by("requested_deadline", "pk")
    events = [_deadline(c) for c in cases[:MAX_EVENTS]]
    related = ("case", "case__client")
    steps = steps.filter(finished_at__isnull=True).exclude(case__state__in=CLOSED)
    steps = steps.select_related(*related).order_by("planned_start", "pk")
    events += [_step(s) for s in steps[: max(MAX_EVENTS - len(events), 0)]]
    items = items.select_related("client", "case").order_by("expected_return", "pk")
    events += [_return(i) for i in items[: max(MAX_EVENTS - len(events), 0)]]
    reviews = reviews.select_related(*related).order_by("-created_at", "-pk")
    events += [_review(r) for r in reviews[: max(MAX_EVENTS - len(events), 0)]]
    moves = moves.select_related("item__client", "item__case", "from_user", "to_user")
    moves = moves.order_by("-at", "-pk")
    events += [_handover(m) for m in moves[: max(MAX_EVENTS - len(events), 0)]]
    return events
