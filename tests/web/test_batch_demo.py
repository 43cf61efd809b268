"""The demo holds the seed's batch (3家公司同步注销): three subsidiaries' 税务注销 with unfiled
returns, one request, one plan, laid out so the story holds at any instant the demo loads."""

import datetime as dt
from dataclasses import replace

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from expedite import clock
from expedite.batches import demo, selectors
from expedite.batches.models import Batch
from expedite.cases.demo_layout import Layout, deadline_for
from expedite.cases.triage import run_triage
from expedite.domain.calendar import SHANGHAI
from expedite.domain.triage import Verdict
from expedite.workdays.selectors import firm_calendar
from tests.web.test_demo_layout import INSTANTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("instant", INSTANTS)
def test_the_demo_batch_is_blocked_and_met_with_the_late_books_last_at_any_instant(
    catalog, instant
):
    now = dt.datetime.fromisoformat(instant)
    today = now.astimezone(SHANGHAI).date()
    late = replace(
        demo.INTAKE,
        materials_complete=False,
        materials_expected=firm_calendar().add_workdays(today, demo.LATE_BOOKS[1]),
    )
    layout = Layout(Verdict.BLOCKED, meets=True)
    deadline = deadline_for(service_code=demo.SERVICE, data=late, layout=layout, now=now)
    results = {
        name: run_triage(
            service_code=demo.SERVICE,
            data=replace(data, deadline=deadline),
            now=now,
            value_tier="standard",
        )
        for name, data in (("on time", demo.INTAKE), ("late", late))
    }
    for name, result in results.items():
        assert result.verdict == Verdict.BLOCKED, (name, instant)
        assert result.chosen.meets_deadline, (name, instant)
    assert results["late"].chosen.plan.finish > results["on time"].chosen.plan.finish


def test_the_demo_includes_the_seeds_three_company_deregistration_as_one_batch(catalog):
    from expedite.ops.demo import DEMO_PASSWORD, demo_load

    demo_load(now=timezone.now())
    batch = Batch.objects.get(reason=demo.REASON)
    assert batch.service.code == "tax-deregistration"
    assert batch.requester.client.name == "苏州恒信建设工程有限公司"
    cases = [m.case for m in batch.members.select_related("case__client")]
    assert [c.client.name for c in cases] == [name for name, *_rest in demo.SUBSIDIARIES]
    assert {c.verdict for c in cases} == {"blocked"}
    assert all(c.triage["recommended_option"]["working_days"] >= 8 for c in cases)

    staff = Browser()
    assert staff.login(username="zhangmin", password=DEMO_PASSWORD)
    plan = selectors.batch_plan(
        batch, cases=selectors.batch_cases(batch, user=batch.created_by), now=clock.now()
    )
    slow = next(c for c in cases if c.client.name == demo.LATE_BOOKS[0])
    assert plan.outlook.bottlenecks == (slow.pk,)
    assert plan.outlook.meets_deadline is True
    page = staff.get(reverse("batch_detail", args=[batch.pk])).content.decode()
    assert batch.reference in page and "能按期完成" in page
    assert staff.get(reverse("batch_list")).content.decode().count(batch.reference) == 1
    assert demo.batch_demo_load(users={}, requester=batch.requester.client, now=clock.now()) == 0
