"""A small fixed history for the KPI selectors, the export and the dashboard in the browser.

Three delivered cases of the test world's two clients, written as they stood (like the demo's
history), with every figure chosen so the expected KPIs can be worked out by hand:

- A  acme,    business-change,        opened 03-01, delivered 03-10 (deadline 03-12), 4 days,
     li on it; one error caught in review; pre-review 10:00→11:00 (due 12:00); survey 5/5/5.
- B  hengxin, business-change,        opened 03-05, delivered 03-20 (deadline 03-19), 5 days,
     wang on it; an error found after delivery; incident 10:00, due 11:00, answered 11:30;
     survey 3/3/4.
- C  acme,    labor-dispatch-license, opened 03-25, delivered 04-02 (deadline 04-10), 3 days,
     li on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from expedite.cases.models import Case
from expedite.domain.calendar import SHANGHAI
from expedite.kpi.models import Delivery, DeliveryError
from expedite.learning.models import Feedback
from expedite.materials.models import PreReview
from expedite.monitoring.models import Incident
from expedite.reviews.models import SUPERVISOR, Review, ReviewFinding
from expedite.work.models import Assignment
from tests.factories import PastCaseFactory

NOW = dt.datetime(2026, 4, 20, 12, 0, tzinfo=SHANGHAI)


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _case(world, client, code, opened, deadline, delivered, workdays, person):
    case = PastCaseFactory(client=client, code=code, opened=opened, requested_deadline=deadline)
    Delivery.objects.create(case=case, delivered_at=delivered, workdays=Decimal(workdays))
    Assignment.objects.create(case=case, role="process", user=person, status="confirmed")
    return Case.objects.get(pk=case.pk)


def kpi_history(world) -> dict[str, Case]:
    a = _case(
        world,
        world.acme,
        "business-change",
        at(3, 1),
        dt.date(2026, 3, 12),
        at(3, 10, 16),
        "4",
        world.li,
    )
    b = _case(
        world,
        world.hengxin,
        "business-change",
        at(3, 5),
        dt.date(2026, 3, 19),
        at(3, 20, 16),
        "5",
        world.wang,
    )
    c = _case(world, world.acme, "labor-dispatch-license", at(3, 25), dt.date(2026, 4, 10),
              at(4, 2, 16), "3", world.li)  # fmt: skip
    review = Review.objects.create(
        case=a, stage=SUPERVISOR, round=1, reviewer=world.zhao, results=[], passed=False,
        created_at=at(3, 9),
    )  # fmt: skip
    ReviewFinding.objects.create(review=review, item="x", description="数字填错", correction="改正")
    DeliveryError.objects.create(
        case=b, found_on=dt.date(2026, 3, 25), description="漏报一项", recorded_by=world.zhang,
        recorded_at=at(3, 25),
    )  # fmt: skip
    PreReview.objects.create(
        case=a, round=1, started_at=at(3, 2, 10), due_at=at(3, 2, 12), finished_at=at(3, 2, 11)
    )
    Incident.objects.create(
        case=b, kind="department_rejection", description="退件", raised_at=at(3, 18, 10),
        response_due=at(3, 18, 11), managers_at=at(3, 18, 11), acknowledged_at=at(3, 18, 11, 30),
    )  # fmt: skip
    Feedback.objects.create(case=a, timeliness=5, communication=5, result=5, created_at=at(3, 12))
    Feedback.objects.create(case=b, timeliness=3, communication=3, result=4, created_at=at(3, 22))
    return {"a": a, "b": b, "c": c}
