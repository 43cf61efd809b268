"""The fee ledger: what an expedite really cost, against the quote."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.cases.costs import cost_entry_add, fee_comparison
from expedite.cases.models import CostEntry
from expedite.domain.errors import NotAllowed, ValidationFailed
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(
        service="labor-dispatch-license",
        days=60,
        facts={"business_license_valid": True, "registered_capital": 3_000_000},
    ),
]


def test_twenty_percent_more_is_explained_by_overtime_and_an_esign_service(world, case):
    today = timezone.localdate()
    cost_entry_add(
        actor=world.li,
        case=case,
        kind="overtime",
        description="加急加班",
        amount=250,
        hours=2,
        person=world.zhang,
        day=today,
    )
    cost_entry_add(
        actor=world.li,
        case=case,
        kind="overtime",
        description="加急加班",
        amount=250,
        hours=2,
        person=world.li,
        day=today,
    )
    cost_entry_add(
        actor=world.li, case=case, kind="third_party", description="电子签章服务", amount=300
    )
    c = fee_comparison(case)
    assert c["base"] == Decimal(4000)
    assert c["actual_extra"] == Decimal(800)
    assert c["percent_over_base"] == Decimal("20.0")
    assert c["hours"] == Decimal(4)
    assert AuditEvent.objects.filter(kind="case.cost_recorded", case=case).count() == 3


def test_overtime_needs_a_person_and_hours_and_nothing_is_stored_otherwise(world, case):
    with pytest.raises(ValidationFailed, match="须写明人员和工时"):
        cost_entry_add(actor=world.li, case=case, kind="overtime", description="加班", amount=100)
    with pytest.raises(ValidationFailed, match="请填写金额"):
        cost_entry_add(actor=world.li, case=case, kind="other", description="x", amount=0)
    with pytest.raises(ValidationFailed, match="金额应为数字"):
        cost_entry_add(actor=world.li, case=case, kind="other", description="x", amount="abc")
    assert not CostEntry.objects.exists()


def test_a_correction_is_a_negative_entry(world, case):
    cost_entry_add(actor=world.li, case=case, kind="third_party", description="审计费", amount=3000)
    cost_entry_add(
        actor=world.li, case=case, kind="third_party", description="审计费（更正）", amount=-500
    )
    assert fee_comparison(case)["actual_extra"] == Decimal(2500)


def test_an_outsider_cannot_record_costs(world, case):
    with pytest.raises(NotAllowed):
        cost_entry_add(actor=world.outsider, case=case, kind="other", description="x", amount=1)


def test_the_case_page_shows_quote_against_actual_and_records_an_entry(client, world, case):
    client.login(username="li", password=PASSWORD)
    response = client.post(
        reverse("case_cost_add", args=[case.pk]),
        {
            "kind": "overtime",
            "description": "周末加班",
            "person": world.li.pk,
            "day": timezone.localdate().isoformat(),
            "hours": "3",
            "amount": "375",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    panel_url = reverse("case_panel", args=[case.pk, "costs"])
    assert panel_url in page  # the panel loads once scrolled into view
    html = client.get(panel_url).content.decode()
    assert "费用明细" in html and "周末加班" in html and "¥375.00" in html


def test_an_overtime_correction_takes_back_the_hours(world, case):
    cost_entry_add(
        actor=world.li,
        case=case,
        kind="overtime",
        description="加班",
        amount=500,
        hours=4,
        person=world.li,
    )
    cost_entry_add(
        actor=world.li,
        case=case,
        kind="overtime",
        description="加班（更正）",
        amount=-500,
        hours=-4,
        person=world.li,
    )
    c = fee_comparison(case)
    assert c["hours"] == 0 and c["actual_extra"] == 0
    with pytest.raises(ValidationFailed, match="只有加班工时记录工时"):
        cost_entry_add(actor=world.li, case=case, kind="other", description="x", amount=1, hours=2)
