"""The KPI records read as plain columns are the records the whole rows give: the same
deliveries, SLA rounds, ratings and purchases, under every filter."""

import dataclasses
from collections import Counter

import pytest

from expedite.kpi.models import Delivery
from expedite.kpi.selectors import KpiFilters, kpi_records
from expedite.learning.models import Feedback
from expedite.materials.models import PreReview
from expedite.monitoring.models import Incident
from expedite.workdays.selectors import firm_calendar
from tests.web.kpi_helpers import kpi_history
from tests.web.test_kpi import APRIL, MARCH

pytestmark = pytest.mark.django_db


def _whole_rows(f: KpiFilters, tz) -> dict:
    """What the records say, taken from model instances."""
    out = {"deliveries": Counter(), "sla": Counter(), "ratings": Counter()}
    for d in Delivery.objects.select_related("case", "case__service"):
        on = d.delivered_at.astimezone(tz).date()
        if f.first <= on.replace(day=1) <= f.last and _kept(f, d.case):
            c = d.case
            row = (c.pk, c.client_id, c.service.code, on, c.requested_deadline)
            out["deliveries"][(*row, float(d.workdays), float(c.service.standard_workdays))] += 1
    for model, at, due, done in (
        (PreReview, "started_at", "due_at", "finished_at"),
        (Incident, "raised_at", "response_due", "acknowledged_at"),
    ):
        for r in model.objects.select_related("case"):
            on = getattr(r, at).astimezone(tz).date()
            if f.first <= on.replace(day=1) <= f.last and _kept(f, r.case):
                out["sla"][(model.__name__, on, getattr(r, due), getattr(r, done))] += 1
    for r in Feedback.objects.select_related("case"):
        on = r.created_at.astimezone(tz).date()
        if f.first <= on.replace(day=1) <= f.last and _kept(f, r.case):
            out["ratings"][(on, r.average)] += 1
    return out


def _kept(f: KpiFilters, case) -> bool:
    if f.service and case.service.code != f.service:
        return False
    if f.client and case.client_id != f.client:
        return False
    return not f.staff or case.assignments.filter(user_id=f.staff).exists()


@pytest.mark.parametrize("narrow", ["", "service", "client", "staff"])
def test_records_from_columns_equal_those_from_whole_rows(world, narrow):
    cases = kpi_history(world)
    some = next(iter(cases.values()))
    filters = {
        "": {},
        "service": {"service": some.service.code},
        "client": {"client": some.client_id},
        "staff": {"staff": world.li.pk},
    }[narrow]
    f = KpiFilters(first=MARCH, last=APRIL, **filters)
    r = kpi_records(f)
    expected = _whole_rows(f, firm_calendar().tz)
    got = Counter(
        (
            d.case_id,
            d.client_id,
            d.service,
            d.delivered_on,
            d.deadline,
            d.workdays,
            d.standard_workdays,
        )
        for d in r.delivered
    )
    assert got == expected["deliveries"] and got
    sla = Counter(("PreReview", *dataclasses.astuple(p)) for p in r.prereviews) + Counter(
        ("Incident", *dataclasses.astuple(i)) for i in r.incidents
    )
    assert sla == expected["sla"]
    assert Counter((x.given_on, x.average) for x in r.ratings) == expected["ratings"]
    if not narrow:
        assert r.prereviews and r.incidents and r.ratings
