"""Demo data: one user per role, clients and cases drawn from the seed account's examples.

Loading is idempotent: users, clients and cases are looked up by natural keys
and created only when missing, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from expedite.accounts.models import StaffContact
from expedite.approvals.demo import approvals_demo_load
from expedite.audit.services import audit_record
from expedite.batches.demo import batch_demo_load
from expedite.cases.costs import cost_entry_add
from expedite.cases.demo_layout import Layout, deadline_for
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case, Client
from expedite.cases.services import ContactInput, case_create, client_create
from expedite.cases.triage import TriageInput, case_triage
from expedite.custody.demo import demo_custody
from expedite.delivery.demo import delivery_demo_load
from expedite.desk.demo import notify_demo_load
from expedite.domain.audit import AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.identifiers import uscc_check_character
from expedite.domain.roles import ROLE_NAMES_ZH, Role
from expedite.domain.triage import Verdict
from expedite.feeds.demo import feeds_demo_load
from expedite.imports.demo import imports_demo_load
from expedite.kpi.demo import kpi_demo_load
from expedite.learning.demo import learning_demo_load
from expedite.materials.demo import materials_demo_load
from expedite.monitoring.demo import monitoring_demo_load
from expedite.notify.webhook_demo import webhook_demo_load
from expedite.portal.demo import portal_demo_load
from expedite.radar.demo import radar_demo_load
from expedite.requests.demo import requests_demo_load
from expedite.reviews.demo import demo_submission_checked, review_demo
from expedite.work.demo import demo_schedule, demo_staff, demo_work
from expedite.workdays.models import Schedule
from expedite.workdays.selectors import firm_calendar
from expedite.workdays.services import closure_add, schedule_create

DEMO_PASSWORD = "expedite-demo"  # noqa: S105 - printed for the demo; never used in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    last_name: str
    first_name: str
    role: Role


DEMO_USERS = (
    DemoUser("zhangmin", "张", "敏", Role.LIAISON),
    DemoUser("liqiang", "李", "强", Role.PROCESS),
    DemoUser("sunli", "孙", "丽", Role.PROCESS),
    DemoUser("wangfang", "王", "芳", Role.RISK),
    DemoUser("zhoujie", "周", "杰", Role.RISK),
    DemoUser("zhaolei", "赵", "磊", Role.SUPERVISOR),
    DemoUser("chenjing", "陈", "静", Role.MANAGER),
    DemoUser("liuyang", "刘", "洋", Role.GENERAL_MANAGER),
    DemoUser("admin", "管理员", "", Role.ADMIN),
)


def _uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


DEMO_CLIENTS = (
    (
        "上海鲜达电子商务有限公司",
        _uscc("91310115MA1K4DEM0"),
        "key",
        "周婷",
        "13816220001",
        "zhou.ting@xianda.example",
    ),
    (
        "苏州恒信建设工程有限公司",
        _uscc("91320506MA1N7DEM1"),
        "strategic",
        "吴刚",
        "13962110002",
        "wugang@hengxin.example",
    ),
    (
        "杭州云启人力资源有限公司",
        _uscc("91330106MA2H9DEM2"),
        "standard",
        "郑晓",
        "13757130003",
        "zx@yunqi.example",
    ),
    (
        "德澜（上海）贸易有限公司",
        _uscc("91310000MA1FDEM03"),
        "strategic",
        "Anna Weber",
        "13601790004",
        "anna.weber@delan.example",
    ),
)
# Contacts who read English (portal, messages, 结果确认单); the others read Chinese.
DEMO_CONTACT_LANGUAGES = {"Anna Weber": "en"}

# (client index, service code, where the deadline lies, reason, triage or None). The deadline is
# a Layout (the verdict the case shows, found from the product's own triage at the instant the
# demo loads) or, for a case not yet triaged, working days from today.
# Triage: (consequence, written notice, rule facts, lever preconditions that can be arranged).
LICENCE_OK = {"business_license_valid": True}
DEMO_CASES = (
    (
        0,
        "food-business-license",
        # 假急: the client had days to spare; the standard path meets it with two to go.
        Layout(Verdict.NOT_NEEDED, pick=2),
        "平台通知下周下架未取得食品经营许可证的店铺，已收到书面通知（截图）。",
        ("lost_business", True, {**LICENCE_OK, "prepackaged_only": False}, ()),
    ),
    (
        1,
        "construction-permit",
        # The drawing-review certificate must be corrected first, and even then the date is missed.
        Layout(Verdict.BLOCKED, pick=3, meets=False),
        "项目开工需要施工许可证，逾期按合同承担违约金。审批部门反馈施工图审查合格书上的项目名称有误。",
        ("contract_penalty", True, {**LICENCE_OK, "drawing_review_ok": False}, ()),
    ),
    (
        2,
        "labor-dispatch-license",
        # 3 working days instead of 5: only the expedited path meets it, with nothing to spare.
        Layout(Verdict.EXPEDITE),
        "新客户合同签约需要劳务派遣许可证；负责专员出差，可远程协作。",
        (
            "lost_business",
            True,
            {**LICENCE_OK, "registered_capital": 3_000_000},
            ("esign-accepted", "department-precoordinated", "remote-collaboration"),
        ),
    ),
    (
        3,
        "foreign-equity-change",
        Layout(Verdict.EXPEDITE, pick=2),
        "外方股东变更须在季度末前完成，涉及股权转让涉税申报、市场监管局变更登记和银行外汇登记。",
        (
            "regulatory_penalty",
            True,
            {"negative_list_prohibited": False},
            ("department-precoordinated", "transfer-tax-not-blocking"),
        ),
    ),
    (
        0,
        "business-change",
        # Even the fastest path finishes a working day late: accepting needs a manager.
        Layout(Verdict.INFEASIBLE, pick=-1),
        "明天与项目方签合同，需要变更后的营业执照（法定代表人变更）。",
        ("contract_penalty", True, {"resolution_signed": True}, ()),
    ),
    (
        2,
        "invoice-title-change",
        # Refused; the red-letter invoice meets the date.
        Layout(Verdict.REFUSED, pick=1, meets=True),
        "客户要求把上月开给 A 公司的发票抬头改成 B 公司。",
        ("comfort_only", True, {"cross_month": True}, ()),
    ),
    (
        1,
        "food-business-license",
        # Refused: selling only prepackaged food needs a filing, not a licence; the filing meets it.
        Layout(Verdict.REFUSED, pick=1, meets=True),
        "新开的便利店只卖包装好的饮料和零食，商场要求开业前办好食品经营许可证。",
        ("lost_business", True, {**LICENCE_OK, "prepackaged_only": True}, ()),
    ),
    (
        2,
        "business-deregistration",
        30,
        "子公司税务注销办完后接着办理工商注销（简易注销），须经公示 20 日。",
        None,
    ),
    (
        3,
        "high-tech-certification",
        55,
        "高新技术企业认定须在春节后申报截止前完成；缺近一年高新技术产品收入专项审计报告。",
        None,
    ),
)

# Cases already under way in the demo: the client accepted, work started, one waits on the client.
DEMO_MOVES = {
    "labor-dispatch-license": (("quoted", ""), ("accepted", ""), ("in_progress", "")),
    "foreign-equity-change": (
        ("quoted", ""),
        ("accepted", ""),
        ("in_progress", ""),
        ("on_hold", "等待客户补充外方股东决议原件"),
    ),
}

# A government office's window hours, for its own processing time (法定承诺时限).
DEMO_OFFICE = ("市场监管局政务服务中心", "09:00-12:00,13:00-17:00")


@transaction.atomic
def demo_load(*, now: dt.datetime) -> dict[str, int]:
    """Load what is missing, laid out at `now`: every story holds at any instant it loads."""
    today = now.astimezone(SHANGHAI).date()
    User = get_user_model()
    created = {"users": 0, "clients": 0, "cases": 0}
    users = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                username=spec.username,
                password=DEMO_PASSWORD,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@firm.example",
                is_staff=spec.role == Role.ADMIN,
                is_superuser=spec.role == Role.ADMIN,
            )
            user.groups.add(Group.objects.get_or_create(name=spec.role.value)[0])
            created["users"] += 1
        users.setdefault(spec.role, user)
    liaison = users[Role.LIAISON]
    # The portal gives clients the liaison's number next to what they must do.
    StaffContact.objects.get_or_create(user=liaison, defaults={"phone": "021-6288 0101"})
    demo_staff(users[Role.MANAGER], today=today)
    clients = []
    for name, uscc, tier, contact, phone, email in DEMO_CLIENTS:
        client = Client.objects.filter(uscc=uscc).first()
        if client is None:
            client = client_create(
                actor=liaison,
                name=name,
                uscc=uscc,
                value_tier=tier,
                contacts=[
                    ContactInput(
                        name=contact,
                        phone=phone,
                        email=email,
                        title="经办人",
                        language=DEMO_CONTACT_LANGUAGES.get(contact, "zh-hans"),
                    )
                ],
            )
            created["clients"] += 1
        clients.append(client)
    if not Schedule.objects.filter(name=DEMO_OFFICE[0]).exists():
        schedule_create(actor=None, name=DEMO_OFFICE[0], windows=DEMO_OFFICE[1])
    firm = Schedule.objects.get(kind=Schedule.FIRM)
    if not firm.closures.exists():
        # A firm event day a few weeks out: the calendar page shows it, and deadlines skip it.
        event_day = firm_calendar().add_workdays(today, 20)
        closure_add(actor=None, schedule=firm, date=event_day, reason="公司年会（演示）")
    calendar = firm_calendar()
    for client_index, service, where, reason, spec in DEMO_CASES:
        client = clients[client_index]
        if Case.objects.filter(client=client, service__code=service, reason=reason).exists():
            continue
        data = _triage_input(spec, today)
        if isinstance(where, Layout):
            deadline = deadline_for(
                service_code=service,
                data=data,
                layout=where,
                now=now,
                value_tier=client.value_tier,
            )
        else:
            deadline = calendar.add_workdays(today, where)
        case = case_create(
            actor=liaison,
            client_id=client.pk,
            service_code=service,
            requested_deadline=deadline,
            reason=reason,
            now=now,
        )
        created["cases"] += 1
        if spec is not None:
            case_triage(actor=liaison, case=case, data=replace(data, deadline=deadline), now=now)
        if service == "labor-dispatch-license":
            _demo_costs(case, users, today)
        for state, why in DEMO_MOVES.get(service, ()):
            case = case_transition(actor=liaison, case=case, to=state, reason=why, now=now)
    demo_submission_checked(users=users, now=now)
    demo_work(users[Role.MANAGER], users[Role.PROCESS], now=now)
    created["cases"] += review_demo(users=users, clients=clients, now=now)
    # The seed's 3家公司同步注销 (blocked: file the returns first) as one batch of 恒信's.
    created["cases"] += batch_demo_load(users=users, requester=clients[1], now=now)
    delivery_demo_load(users=users, clients=clients, now=now)
    custody = demo_custody(users=users, now=now)
    approvals_demo_load(now=now)
    portal_demo_load(users=users)
    materials_demo_load(users=users, now=now)
    monitoring_demo_load(now=now)
    created["cases"] += learning_demo_load(users=users, clients=clients, now=now)
    notify_demo_load(now=now)
    created["cases"] += kpi_demo_load(users=users, clients=clients, now=now)
    created["cases"] += requests_demo_load(now=now)
    created["clients"] += imports_demo_load(users=users, now=now)
    feeds_demo_load(users=users)
    webhook_demo_load(admin=users[Role.ADMIN])
    created["cases"] += radar_demo_load(users=users, now=now)
    demo_schedule(now=now)
    if any(created.values()) or custody:
        audit_record(kind=AuditKind.DEMO_LOADED, payload={**created, "custody_items": custody})
    return created


def _triage_input(spec, today: dt.date) -> TriageInput:
    if spec is None:
        return TriageInput(deadline=today, written_notice=False)
    consequence, notice, facts, preconditions = spec
    return TriageInput(
        deadline=today,
        written_notice=notice,
        consequence=consequence,
        facts=facts,
        preconditions=preconditions,
    )


def _demo_costs(case, users, today: dt.date) -> None:
    """加急比常规贵了20%: two extra staff on overtime and an e-sign service (the seed's case)."""
    process = users[Role.PROCESS]
    for person, hours in ((users[Role.LIAISON], "2"), (process, "2")):
        cost_entry_add(
            actor=process,
            case=case,
            kind="overtime",
            description="加急加班",
            amount=Decimal(hours) * 125,
            hours=Decimal(hours),
            person=person,
            day=today,
        )
    cost_entry_add(
        actor=process,
        case=case,
        kind="third_party",
        description="电子签章服务",
        amount=300,
        day=today,
    )


def demo_logins() -> list[tuple[str, str]]:
    return [(u.username, ROLE_NAMES_ZH[u.role]) for u in DEMO_USERS]
