"""Demo custody: a confirmed 公章, an overdue 税务UKey, a return awaiting the client, a transfer
awaiting a colleague. Idempotent: each item is created only if its case has none of its kind."""

from __future__ import annotations

import datetime as dt

from expedite.cases.models import Case
from expedite.domain.calendar import SHANGHAI
from expedite.domain.roles import Role
from expedite.workdays.selectors import firm_calendar

from . import services
from .models import CustodyItem


def _case(service: str) -> Case | None:
    # The seed's case (the oldest of its service), not a later demo's finished one.
    return (
        Case.objects.select_related("client").filter(service__code=service).order_by("pk").first()
    )


def _absent(case: Case | None, kind: str) -> bool:
    return case is not None and not CustodyItem.objects.filter(case=case, kind=kind).exists()


def _confirm_as_client(movement, now: dt.datetime) -> None:
    services.confirm_by_client_code(
        client=movement.item.client, movement_id=movement.pk, code=movement.sent_code, now=now
    )


def demo_custody(*, users: dict, now: dt.datetime) -> int:
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    # Half a working hour before now: "returned today" if today is a workday, else on the last.
    just_now = cal.at_work_clock(cal.work_clock(now) - 30 * 60 * 1_000_000, starting=True)
    liaison, process = users[Role.LIAISON], users[Role.PROCESS]
    earlier = dt.datetime.combine(cal.add_workdays(today, -6), dt.time(10, 0), tzinfo=SHANGHAI)
    later = earlier + dt.timedelta(minutes=5)
    created = 0
    case = _case("business-change")
    if _absent(case, "company_seal"):
        m = services.check_in(
            actor=liaison,
            client=case.client,
            case=case,
            kind="company_seal",
            purpose="法定代表人变更：在变更登记申请书上盖章",
            expected_return=cal.add_workdays(today, 3),
            now=earlier,
        )
        _confirm_as_client(m, later)
        created += 1
    case = _case("foreign-equity-change")
    if _absent(case, "tax_ukey"):
        # Due back three working days ago and still here: overdue on the list and case page.
        m = services.check_in(
            actor=liaison,
            client=case.client,
            case=case,
            kind="tax_ukey",
            label="税务 UKey（金税盘）",
            purpose="银行外汇变更登记、股权转让涉税申报",
            expected_return=cal.add_workdays(today, -3),
            now=earlier,
        )
        _confirm_as_client(m, later)
        services.transfer(
            actor=liaison,
            item=m.item,
            to_user=process,
            purpose="由流程专员去税务局办理",
            now=later + dt.timedelta(hours=1),
        )
        created += 1
    case = _case("labor-dispatch-license")
    if _absent(case, "license_copy"):
        m = services.check_in(
            actor=liaison,
            client=case.client,
            case=case,
            kind="license_copy",
            purpose="劳务派遣许可申请：提交营业执照副本",
            expected_return=cal.add_workdays(today, 1),
            now=earlier,
        )
        _confirm_as_client(m, later)
        # Just returned; the client has not entered its code yet.
        services.check_out(
            actor=liaison, item=m.item, purpose="申请材料已提交，归还客户", now=just_now
        )
        created += 1
    return created
