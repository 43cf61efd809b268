"""Six months of finished cases, so the KPI dashboard shows trends from the first `make run`.

The history is written as it stood (cases, their team, reviews, pre-reviews, incidents, the
client's survey, the delivery record), dated in the past, without replaying every action:
replaying hundreds of audited steps would slow the demo for no gain. One error found after
delivery is recorded through the service, so it is in the audit record like a real one.
Idempotent: history cases carry `intake.demo_history` and are made once.

The packaged result of the yearly simulation is loaded too, for the page's simulation tab;
the same run is stored once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q

from expedite.cases.clocks import clocks_to_json, new_case_clocks
from expedite.cases.models import Case, CatalogVersion, Client, ServiceType
from expedite.cases.plans import service_definition
from expedite.cases.services import ContactInput, client_create
from expedite.domain.identifiers import uscc_check_character
from expedite.domain.roles import Role
from expedite.learning.models import Feedback
from expedite.materials.models import PreReview
from expedite.monitoring.models import Incident
from expedite.reviews.models import SELF_CHECK, SUPERVISOR, Review, ReviewFinding
from expedite.work.models import Assignment
from expedite.workdays.selectors import firm_calendar

from .models import Delivery
from .services import delivery_error_record
from .simulation import PACKAGED_RESULT, packaged_result, simulation_load

H = dt.timedelta(hours=1)
# The history's cases, told apart from the demo's live ones.
HISTORY_CASES = Q(intake__has_key="demo_history")
MONTHS = 6

# Clients who bought once in the period, next to the demo's four regulars (repeat purchase).
ONE_OFF_CLIENTS = (
    ("宁波海曙外贸有限公司", "91330203MA2GHYT04", "standard", "林峰", "13905740005"),
    ("无锡锡山精密机械有限公司", "91320205MA1XHYT05", "standard", "顾敏", "13861790006"),
    ("合肥庐阳餐饮管理有限公司", "91340103MA2UHYT06", "standard", "许杰", "13965120007"),
)

# Which history entries the one-off clients bought: the first and third once, the second twice.
ONE_OFF_AT = {4: 0, 12: 1, 30: 1, 37: 2}

# (service, reason, how the case went). Kinds: ok; late (delivered after the deadline);
# caught (the supervisor's review caught an error); slow_prereview; incident; slow_incident;
# error_after (an error found after delivery); unhappy (a low survey score).
HISTORY = (
    ("business-change", "法定代表人变更，新签合同需要新执照。", "ok"),
    ("food-business-license", "新店开业前须取得食品经营许可证。", "incident"),
    ("tax-filing", "季度申报截止前财务离职，委托加急代报。", "caught"),
    ("labor-dispatch-license", "新客户签约需要劳务派遣许可证。", "ok"),
    ("social-insurance-enrollment", "新员工入职当月须完成社保增员。", "slow_prereview"),
    ("business-change", "经营范围变更，投标要求营业执照已列明。", "late"),
    ("foreign-equity-change", "外方股东转让股权，须在季度末前完成。", "incident"),
    ("tax-filing", "年度汇算清缴截止前补报。", "ok"),
    ("vat-credit-refund", "资金周转紧张，申请增值税留抵退税。", "caught"),
    ("food-business-license", "中央厨房新增经营项目。", "ok"),
    ("social-insurance-enrollment", "批量增员，客户要求本月参保。", "error_after"),
    ("business-change", "注册地址迁移，租约到期前完成变更。", "slow_incident"),
    ("labor-dispatch-license", "许可证到期前换证。", "unhappy"),
    ("tax-filing", "税务稽查前补正申报。", "ok"),
    ("construction-permit", "项目开工节点前取得施工许可证。", "late"),
    ("food-business-license", "门店转让后重新申领许可证。", "caught"),
)


def _uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def _clients(liaison, regulars: list[Client]) -> list[Client]:
    extra = []
    for name, code, tier, contact, phone in ONE_OFF_CLIENTS:
        uscc = _uscc(code)
        client = Client.objects.filter(uscc=uscc).first() or client_create(
            actor=liaison,
            name=name,
            uscc=uscc,
            value_tier=tier,
            contacts=[ContactInput(name=contact, phone=phone, title="经办人")],
        )
        extra.append(client)
    return [*regulars, *extra]


@dataclass(frozen=True)
class HistoryCase:
    n: int
    service: ServiceType
    reason: str
    kind: str
    intake: dt.datetime
    promised: dt.date
    taken: float  # working days from intake to delivery
    delivered_at: dt.datetime


def history_plan(today: dt.date) -> list[HistoryCase]:
    """The history cases for `today`: the six months before this one, and this month's cases
    delivered before today."""
    cal = firm_calendar()
    services = {s.code: s for s in ServiceType.objects.all()}
    first_month = _add_months(today.replace(day=1), -MONTHS)
    entries = [(m, entry) for m in range(MONTHS + 1) for entry in _month_slice(m)]
    plan = []
    for n, (month_index, (code, reason, kind)) in enumerate(entries):
        service = services.get(code)
        if service is None:
            continue
        month = _add_months(first_month, month_index)
        intake_day = cal.add_workdays(cal.next_workday(month), 2 + (n * 5) % 12)
        intake = dt.datetime.combine(intake_day, dt.time(10, 0), tzinfo=cal.tz)
        # Expedited work takes a little over half the standard time; a late case overruns.
        taken = max(1.0, round(service.standard_workdays * (0.55 + (n % 4) * 0.06), 1))
        promised = cal.add_workdays(intake_day, int(taken + 0.999))
        if kind == "late":
            taken += 2
        delivered_at = cal.add_working_time(intake, taken * cal.hours.day_length)
        if delivered_at.date() < today:
            plan.append(
                HistoryCase(n, service, reason, kind, intake, promised, taken, delivered_at)
            )
    return plan


def simulation_demo_load() -> bool:
    """Keep the packaged simulation result, once; True when this call stored it."""
    return simulation_load(result=packaged_result(), source=PACKAGED_RESULT).stored_now


def kpi_demo_load(*, users: dict, clients: list[Client], now: dt.datetime) -> int:
    """Create the history when missing, and keep the simulation's result; returns how many
    cases it made."""
    simulation_demo_load()
    if Case.objects.filter(HISTORY_CASES).exists():
        return 0
    cal = firm_calendar()
    today = now.astimezone(cal.tz).date()
    liaison = users[Role.LIAISON]
    everyone = _clients(liaison, clients)
    regulars, one_off = everyone[: len(clients)], everyone[len(clients) :]
    processors = list(
        get_user_model().objects.filter(groups__name=Role.PROCESS.value).order_by("pk")
    ) or [users[Role.PROCESS]]
    risk = users[Role.RISK]
    supervisor = users[Role.SUPERVISOR]
    made = 0
    error_case = None
    for h in history_plan(today):
        n, service, reason, kind = h.n, h.service, h.reason, h.kind
        code, intake, promised, taken, delivered_at = (
            service.code,
            h.intake,
            h.promised,
            h.taken,
            h.delivered_at,
        )
        client = one_off[ONE_OFF_AT[n]] if n in ONE_OFF_AT else regulars[n % len(regulars)]
        closed_at = cal.add_working_time(delivered_at, 4 * H)
        case = _case(client, service, intake, promised, reason, closed_at, cal)
        Delivery.objects.create(
            case=case,
            delivered_at=delivered_at,
            workdays=Decimal(str(taken)).quantize(Decimal("0.01")),
        )
        process = processors[n % len(processors)]
        Assignment.objects.bulk_create(
            Assignment(case=case, role=role, user=user, status=Assignment.CONFIRMED, reason="")
            for role, user in (("liaison", liaison), ("process", process), ("risk", risk))
        )
        _reviews(case, code, kind, process, supervisor, delivered_at - 2 * H)
        if kind == "slow_prereview" or n % 2 == 0:
            started = cal.add_working_time(intake, H)
            due = cal.add_working_time(started, 2 * H)
            finished = (
                due + 40 * dt.timedelta(minutes=1)
                if kind == "slow_prereview"
                else (cal.add_working_time(started, 80 * dt.timedelta(minutes=1)))
            )
            PreReview.objects.create(
                case=case, round=1, started_at=started, due_at=due, reviewer=liaison,
                finished_at=finished, verdicts={}, notice="",
            )  # fmt: skip
        if kind in ("incident", "slow_incident"):
            _incident(case, cal, intake, slow=kind == "slow_incident", by=process)
        if kind != "late" or n % 2:
            _feedback(case, kind, closed_at + 26 * H)
        if kind == "error_after":
            error_case = (case, delivered_at)
        made += 1
    if error_case is not None:
        case, delivered_at = error_case
        delivery_error_record(
            actor=users[Role.LIAISON],
            case=case,
            found_on=min(cal.add_workdays(delivered_at.date(), 3), today),
            description="增员名单中一名员工的缴费基数按上年工资填写，低于本年度最低基数。",
            remedy="当日补报更正，客户未产生滞纳金。",
            now=now,
        )
    return made


def _month_slice(month_index: int):
    """A few history entries per month, rotating through the list so each month differs."""
    count = 5 + month_index % 3
    start = (month_index * 5) % len(HISTORY)
    return [HISTORY[(start + k) % len(HISTORY)] for k in range(count)]


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _case(client, service, intake, promised, reason, closed_at, cal) -> Case:
    clocks = new_case_clocks(cal).start(intake)
    clocks = replace(clocks, firm=clocks.firm.stop(closed_at))
    case = Case.objects.create(
        catalog_version=CatalogVersion.objects.order_by("-pk").first(),
        client=client,
        service=service,
        requested_deadline=promised,
        reason=reason,
        state="closed",
        verdict="expedite",
        clocks=clocks_to_json(clocks),
        intake={"demo_history": True},
    )
    Case.objects.filter(pk=case.pk).update(
        created_at=intake, reference=f"JJ-{intake:%Y}-{case.pk:05d}", updated_at=closed_at
    )
    case.refresh_from_db()
    return case


def _reviews(case, code, kind, process, supervisor, at) -> None:
    checklist = service_definition(code).checklist or ("结果与申请一致",)
    ok = [{"item": item, "ok": True, "note": ""} for item in checklist]
    round_ = 1
    if kind == "caught":
        note = "申报表中的一项数据与财务报表不一致。"
        bad = [{**ok[0], "ok": False, "note": note}, *ok[1:]]
        Review.objects.create(
            case=case, stage=SELF_CHECK, round=1, reviewer=process, results=ok, passed=True,
            created_at=at - 6 * H,
        )  # fmt: skip
        failed = Review.objects.create(
            case=case, stage=SUPERVISOR, round=1, reviewer=supervisor, results=bad, passed=False,
            created_at=at - 5 * H,
        )  # fmt: skip
        ReviewFinding.objects.create(
            review=failed,
            item=checklist[0],
            description=note,
            correction="按财务报表更正后重新核对。",
        )
        round_ = 2
    Review.objects.bulk_create(
        [
            Review(case=case, stage=SELF_CHECK, round=round_, reviewer=process, results=ok,
                   passed=True, created_at=at - H),
            Review(case=case, stage=SUPERVISOR, round=round_, reviewer=supervisor, results=ok,
                   passed=True, created_at=at),
        ]
    )  # fmt: skip


def _incident(case, cal, intake, *, slow: bool, by) -> None:
    raised = cal.add_working_time(intake, 9 * H)
    due = cal.add_working_time(raised, H)
    answered = cal.add_working_time(raised, (100 if slow else 35) * dt.timedelta(minutes=1))
    Incident.objects.create(
        case=case,
        kind="department_rejection",
        description="审批部门要求补正一份材料。",
        raised_at=raised,
        raised_by=by,
        response_due=due,
        managers_at=due,
        acknowledged_at=answered,
        acknowledged_by=by,
        cause="材料格式与部门最新要求不一致。",
        remedy="当天按新格式重做并补交。",
        resolved_at=cal.add_working_time(raised, 5 * H),
        resolved_by=by,
        resolution="部门已受理补正材料。",
    )


def _feedback(case, kind, at) -> None:
    if kind == "unhappy":
        scores, comment = (2, 3, 4), "结果没问题，但中途几天没有进度消息。"
    elif kind in ("late", "slow_incident"):
        scores, comment = (3, 4, 4), "比承诺的晚了。"
    else:
        scores, comment = (5, 5, 4 + case.pk % 2), "时效很快。"
    Feedback.objects.create(
        case=case,
        timeliness=scores[0],
        communication=scores[1],
        result=scores[2],
        comment=comment,
        created_at=at,
    )
