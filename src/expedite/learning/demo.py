"""Demo data for satisfaction and learning: four finished 工商变更 cases with their step times,
the clients' scores (one low, asking for the daily report at 16:00), a 复盘 that saved 2 days
with 容缺受理, a handbook with an accepted duration change and a pending proposal.

Idempotent: each case is looked up by its reason, the handbook by its titles.
"""

from __future__ import annotations

import datetime as dt

from expedite.cases.clocks import clocks_to_json, new_case_clocks
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.cases.services import case_create
from expedite.cases.triage import TriageInput, case_triage
from expedite.delivery.demo import result_pdf
from expedite.delivery.services import delivery_confirm, result_file_add
from expedite.domain.calendar import SHANGHAI
from expedite.domain.learning import CatalogChange, ChangeKind
from expedite.domain.roles import Role
from expedite.portal.services import code_issue
from expedite.reviews.selectors import review_checklist
from expedite.reviews.services import self_check, supervisor_review
from expedite.work.steps import step_finish, step_start
from expedite.workdays.selectors import firm_calendar

from .models import HandbookEntry
from .services import (
    feedback_submit,
    handbook_entry_add,
    proposal_decide,
    retrospective_save,
)

HOUR_US = 3_600_000_000
# (client index, reason, final state, scores, comment, actual hours per step)
FINISHED = (
    (
        0,
        "门店扩张需变更经营范围，平台要求月底前更新执照信息（演示：已结案）。",
        "closed",
        (5, 5, 5),
        "容缺受理帮了大忙，比预期早两天拿到新执照。",
        {
            "prepare": 6,
            "submit": 5,
            "first-review": 3.5,
            "second-review": 7,
            "final-review": 8,
            "collect": 4,
        },
    ),
    (
        2,
        "新增劳务派遣业务需变更经营范围（演示：已确认交付）。",
        "confirmed",
        (4, 5, 4),
        "",
        {
            "prepare": 8,
            "submit": 7,
            "first-review": 4,
            "second-review": 7.5,
            "final-review": 9,
            "collect": 3,
        },
    ),
    (
        3,
        "外方股东委派新任法定代表人，须尽快完成工商变更（演示：差评待跟进）。",
        "confirmed",
        (2, 3, 4),
        "结果没问题，但日报每天 17 点才到，我们下班前来不及安排，能否改到下午4点发？",
        {
            "prepare": 9,
            "submit": 8,
            "first-review": 4.5,
            "second-review": 8,
            "final-review": 11,
            "collect": 5,
        },
    ),
    (
        1,
        "项目公司注册地址迁移，招投标资格审查前须完成变更（演示：已结案）。",
        "closed",
        (5, 4, 5),
        "沟通及时。",
        {
            "prepare": 7,
            "submit": 6,
            "first-review": 3,
            "second-review": 7,
            "final-review": 7.5,
            "collect": 4,
        },
    ),
)
RETRO_REASON = FINISHED[0][1]
ACCEPTED_TITLE = "初审实际半天即可完成，计划时长改为 4 小时"
PENDING_TITLE = "材料预审增加股东签字逐一核对"


def _run_steps(case: Case, actor, hours: dict, start: dt.datetime) -> None:

    cal = firm_calendar()
    at = cal.work_clock(start)
    for step in case.steps.order_by("position"):
        if step.started_at is not None:
            continue
        began = cal.at_work_clock(at, starting=True)
        at += int(hours.get(step.code, 7.5) * HOUR_US)
        ended = cal.at_work_clock(at)
        step_start(actor=actor, step=step, now=began)
        step_finish(actor=actor, step=step, now=ended, actual_hours=hours.get(step.code))


def _finished_case(*, spec, users, clients, now: dt.datetime, start: dt.datetime) -> Case:

    client_index, reason, final, scores, comment, hours = spec
    liaison, manager = users[Role.LIAISON], users[Role.MANAGER]
    deadline = firm_calendar().add_workdays(now.astimezone(SHANGHAI).date(), 15)
    # Opened when its work began: the intake clock starts then, not at load time.
    opened = start - dt.timedelta(hours=1)
    case = case_create(
        actor=liaison,
        client_id=clients[client_index].pk,
        service_code="business-change",
        requested_deadline=deadline,
        reason=reason,
        now=opened,
    )
    # The case is run at the times its steps say, so its clocks (and the KPIs that read them)
    # show a real duration, not the seconds the demo takes to load.
    cal = firm_calendar()

    def later(t: dt.datetime, hours: float) -> dt.datetime:
        return cal.at_work_clock(cal.work_clock(t) + int(hours * HOUR_US))

    Case.objects.filter(pk=case.pk).update(
        created_at=opened, clocks=clocks_to_json(new_case_clocks(cal).start(opened))
    )
    case.refresh_from_db()
    case = case_triage(
        actor=liaison,
        case=case,
        data=TriageInput(deadline=deadline, written_notice=True, facts={"resolution_signed": True}),
        now=start,
    )
    for state in ("quoted", "accepted", "in_progress"):
        case = case_transition(actor=liaison, case=case, to=state, now=start)
    _run_steps(case, manager, hours, start)
    done = max(s.finished_at for s in case.steps.all())
    case = case_transition(actor=liaison, case=case, to="review", now=done)
    # The result is on the case before the review: the supervisor passes what the client gets.
    result_file_add(
        actor=users[Role.PROCESS],
        case=case,
        name="准予变更登记通知书.pdf",
        content=result_pdf(f"{case.reference} registration change approved (demo)"),
        now=later(done, 0.25),
    )
    results = [{"item": i, "ok": True} for i in review_checklist(case)]
    self_check(actor=users[Role.PROCESS], case=case, results=results, now=later(done, 0.5))
    supervisor_review(actor=users[Role.SUPERVISOR], case=case, results=results, now=later(done, 1))
    case = case_transition(actor=liaison, case=case, to="delivered", now=later(done, 1.5))
    # The client confirms on its page with the code it was sent: a signed 结果确认单.
    confirmed_at = later(done, 4)
    row, code = code_issue(case=case, contact=case.client.contacts.first(), now=confirmed_at)
    delivery_confirm(
        case=case,
        code_id=row.pk,
        code=code,
        evaluation="satisfied" if min(scores) > 2 else "mostly",
        remark="",
        ip="127.0.0.1",
        now=confirmed_at,
    )
    case.refresh_from_db()
    feedback_submit(
        case=case,
        contact=case.client.contacts.first().name,
        scores=dict(zip(("timeliness", "communication", "result"), scores, strict=True)),
        comment=comment,
        now=now,
    )
    if reason == RETRO_REASON:
        retrospective_save(
            actor=liaison,
            case=case,
            went_well="容缺受理：市场监管局先收件、后补正，省了 2 个工作日。",
            to_improve="材料预审要更严格：股东会决议少一位股东签字，差点被退件。",
            actions=[PENDING_TITLE, ACCEPTED_TITLE],
            now=now,
        )
    if final == "closed":
        case = case_transition(actor=liaison, case=case, to="closed", now=now)
    return case


def learning_demo_load(*, users, clients, now: dt.datetime) -> int:
    """Create what is missing; returns how many cases were created."""
    created = 0
    # Work began a few weeks ago; each case one working day after the one before.
    cal = firm_calendar()
    today = now.astimezone(SHANGHAI).date()
    first = dt.datetime.combine(today - dt.timedelta(days=28), dt.time(9), tzinfo=SHANGHAI)
    for index, spec in enumerate(FINISHED):
        if Case.objects.filter(reason=spec[1]).exists():
            continue
        start = cal.at_work_clock(cal.work_clock(first) + index * cal.hours.day_us, starting=True)
        _finished_case(spec=spec, users=users, clients=clients, now=now, start=start)
        created += 1
    _handbook(users, now)
    return created


def _handbook(users, now: dt.datetime) -> None:
    retro = Case.objects.filter(reason=RETRO_REASON).first()
    if retro is None or HandbookEntry.objects.filter(title=ACCEPTED_TITLE).exists():
        return
    retrospective = retro.retrospective
    author = users[Role.PROCESS]
    accepted = handbook_entry_add(
        actor=author,
        service_code="business-change",
        step_code="first-review",
        title=ACCEPTED_TITLE,
        body="近 4 单初审平均不到 4 个工作小时，计划按 2 个工作日排，承诺日期偏保守。",
        retrospective=retrospective,
        action_index=1,
        change=CatalogChange(
            kind=ChangeKind.DURATION,
            service="business-change",
            step="first-review",
            duration=(("hours", 4),),
        ),
        now=now,
    )
    proposal_decide(
        actor=users[Role.ADMIN],
        entry=accepted,
        accept=True,
        reason="实际用时数据充分（4 单均在 4.5 小时内），采纳。",
        now=now,
    )
    handbook_entry_add(
        actor=author,
        service_code="business-change",
        step_code="prepare",
        title=PENDING_TITLE,
        body="预审时核对股东会决议上签字股东的表决权合计达到三分之二以上，并已盖章，避免退件。",
        retrospective=retrospective,
        action_index=0,
        change=CatalogChange(
            kind=ChangeKind.CHECKLIST,
            service="business-change",
            item="股东会决议的股东签字已与股东名册逐一核对",
        ),
        now=now,
    )
