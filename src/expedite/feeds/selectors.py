"""Reads for calendar feeds: what a person's or a case's calendar holds.

A person's calendar: the deadlines of the open cases they are on, the steps planned for them,
the reviews they did, and the seals and licences they hold that are due back. A case's
calendar: its deadline, its planned steps, its reviews and its items' returns. Both cover a
window around today and stop at MAX_EVENTS, so a feed costs what it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from expedite.cases.models import Case
from expedite.custody.models import CustodyItem
from expedite.domain.cases import CaseState
from expedite.domain.custody import ItemState
from expedite.reviews.models import Review
from expedite.work.models import Assignment, StepRun

PAST_DAYS = 30
AHEAD_DAYS = 180
MAX_EVENTS = 500
# A review is recorded at an instant; it shows as this long in a calendar.
REVIEW_LENGTH = dt.timedelta(minutes=30)
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


def _deadline(case: Case) -> Event:
    day = case.requested_deadline
    return Event(
        uid=f"case-{case.pk}-deadline",
        summary=_("截止：%(case)s") % {"case": _title(case)},
        start=day,
        end=day + dt.timedelta(days=1),
        description=case.reason,
        url=_link(case),
    )


def _step(step: StepRun) -> Event:
    return Event(
        uid=f"step-{step.pk}",
        summary=_("%(step)s · %(case)s") % {"step": step.name, "case": _title(step.case)},
        start=step.planned_start,
        end=max(step.planned_finish, step.planned_start + dt.timedelta(minutes=15)),
        description=_("计划步骤"),
        url=_link(step.case),
    )


def _review(review: Review) -> Event:
    verdict = _("通过") if review.passed else _("未通过")
    return Event(
        uid=f"review-{review.pk}",
        summary=_("复核：%(case)s") % {"case": _title(review.case)},
        start=review.created_at,
        end=review.created_at + REVIEW_LENGTH,
        description=f"{review.get_stage_display()} · {verdict}",
        url=_link(review.case),
    )


def _return(item: CustodyItem) -> Event:
    day = item.expected_return
    what = f"{item.get_kind_display()} {item.label}".strip()
    return Event(
        uid=f"custody-{item.pk}-return",
        summary=_("归还：%(item)s · %(client)s") % {"item": what, "client": item.client.name},
        start=day,
        end=day + dt.timedelta(days=1),
        description=_("预计归还客户"),
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
    mine = Assignment.objects.filter(user=user).values("case_id")
    cases = (
        Case.objects.filter(pk__in=mine, requested_deadline__range=(first, last))
        .exclude(state__in=CLOSED)
        .select_related("client")
    )
    roles = Assignment.objects.filter(user=user).values_list("case_id", "role")
    step_filter = Q(assignee=user)
    for case_id, role in roles[:MAX_EVENTS]:
        step_filter |= Q(assignee__isnull=True, case_id=case_id, role=role)
    steps = StepRun.objects.filter(step_filter, planned_start__range=(since, until))
    reviews = Review.objects.filter(reviewer=user, created_at__range=(since, until))
    items = CustodyItem.objects.filter(
        holder=user, state=ItemState.IN_FIRM, expected_return__range=(first, last)
    )
    return _collect(cases, steps, reviews, items)


def case_events(case: Case, *, today: dt.date, tz) -> list[Event]:
    first, last = _window(today)
    since, until = _instants(first, last, tz)
    cases = Case.objects.filter(pk=case.pk).select_related("client")
    steps = StepRun.objects.filter(case=case, planned_start__range=(since, until))
    reviews = Review.objects.filter(case=case, created_at__range=(since, until))
    items = CustodyItem.objects.filter(
        case=case, state=ItemState.IN_FIRM, expected_return__range=(first, last)
    )
    return _collect(cases, steps, reviews, items)


def _collect(cases, steps, reviews, items) -> list[Event]:
    events = [_deadline(c) for c in cases.order_by("requested_deadline", "pk")[:MAX_EVENTS]]
    related = ("case", "case__client")
    steps = steps.filter(finished_at__isnull=True).select_related(*related)
    events += [_step(s) for s in steps.order_by("planned_start", "pk")[:MAX_EVENTS]]
    reviews = reviews.select_related(*related)
    events += [_review(r) for r in reviews.order_by("created_at", "pk")[:MAX_EVENTS]]
    items = items.select_related("client", "case")
    events += [_return(i) for i in items.order_by("expected_return", "pk")[:MAX_EVENTS]]
    return events[:MAX_EVENTS]
