"""Demo calendars: the liaison's own feed (its address on 我的日历订阅) and one for the demo's
case in progress (on that case's 订阅这件加急单的日历 page). Idempotent."""

from __future__ import annotations

from expedite.cases.models import Case
from expedite.domain.roles import Role

from .models import CalendarFeed
from .services import feed_renew


def feeds_demo_load(*, users: dict) -> None:
    liaison = users[Role.LIAISON]
    if not CalendarFeed.objects.filter(user=liaison).exists():
        feed_renew(actor=liaison)
    case = Case.objects.filter(state="in_progress").order_by("pk").first()
    if case is not None and not CalendarFeed.objects.filter(case=case).exists():
        feed_renew(actor=liaison, case=case)
