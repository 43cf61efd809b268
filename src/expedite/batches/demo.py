"""Demo batch, the seed's “3家公司同步注销，10天”: at quarter end a group asks to deregister
three subsidiaries at once. All three have unfiled returns, so each must file first (3 working
days) and then go through the deregistration review (5): 8 working days. One subsidiary's books
reach the firm two working days late, which makes it the batch's bottleneck and the whole
batch 10 working days; the deadline is laid out from the product's own triage at the instant
the demo loads (`cases.demo_layout`), so the story holds at any hour. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from expedite.cases.demo_layout import Layout, deadline_for, demo_intake
from expedite.cases.models import Client
from expedite.cases.services import ContactInput, client_create
from expedite.cases.triage import case_triage
from expedite.domain.identifiers import uscc_check_character
from expedite.domain.roles import Role
from expedite.domain.triage import Verdict
from expedite.workdays.selectors import firm_calendar

from .models import Batch
from .services import BatchCompany, batch_create

SERVICE = "tax-deregistration"
REASON = "集团季度末整合，3 家子公司须同步注销；老板要季度报表。尚有未申报的季度税费。"
# (name, first 17 characters of the credit code, contact, phone)
SUBSIDIARIES = (
    ("苏州恒信建材有限公司", "91320506MA1N7PL01", "钱芳", "13962110005"),
    ("苏州恒信物业管理有限公司", "91320506MA1N7PL02", "孙伟", "13962110006"),
    ("苏州恒信园林绿化有限公司", "91320506MA1N7PL03", "何静", "13962110007"),
)
# The subsidiary whose books come late, and how many working days late.
LATE_BOOKS = ("苏州恒信园林绿化有限公司", 2)
# Every company's intake: no written notice, only a wish; returns unfiled, taxes paid.
INTAKE = demo_intake(
    written_notice=False,
    consequence="comfort_only",
    facts={"returns_filed": False, "unpaid_taxes": False},
)


def _subsidiaries(liaison) -> list[Client]:
    found = []
    for name, first17, contact, phone in SUBSIDIARIES:
        uscc = first17 + uscc_check_character(first17)
        client = Client.objects.filter(uscc=uscc).first() or client_create(
            actor=liaison,
            name=name,
            uscc=uscc,
            value_tier="standard",
            contacts=[ContactInput(name=contact, phone=phone, title="财务")],
        )
        found.append(client)
    return found


def batch_demo_load(*, users: dict, requester: Client, now: dt.datetime) -> int:
    """The demo batch, asked for by `requester`'s main contact (the group); returns the number
    of cases it created (0 when it is there already)."""
    if Batch.objects.filter(reason=REASON).exists():
        return 0
    liaison = users[Role.LIAISON]
    companies = _subsidiaries(liaison)
    today = now.astimezone(firm_calendar().tz).date()
    late = replace(
        INTAKE,
        materials_complete=False,
        materials_expected=firm_calendar().add_workdays(today, LATE_BOOKS[1]),
    )
    # Laid out for the slowest company: the batch just makes it.
    deadline = deadline_for(
        service_code=SERVICE, data=late, layout=Layout(Verdict.BLOCKED, meets=True), now=now
    )
    batch = batch_create(
        actor=liaison,
        companies=[BatchCompany(client_id=c.pk) for c in companies],
        requester_contact_id=requester.contacts.first().pk,
        service_code=SERVICE,
        requested_deadline=deadline,
        reason=REASON,
        now=now,
        triage=INTAKE,
    )
    # The late books come to light afterwards: that company is triaged again on its own.
    slow = batch.members.select_related("case").get(case__client__name=LATE_BOOKS[0]).case
    case_triage(actor=liaison, case=slow, data=replace(late, deadline=deadline), now=now)
    return len(companies)
