"""Open, declined and cancelled cases of a scale firm, walked through the services
(`ops/scale.py`).

A walk is a generator: it yields the instant of its next action, and the builder resumes it
once the clock stands there, so every service call happens at its own `now`, in the order of
the whole firm's actions. A walk ends where its target state is reached, where its next action
would lie after `now` (an in-progress case is as far as its steps have come), or where a
service refuses (the builder counts the refusal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction

from expedite.accounts.selectors import staff_display_name
from expedite.approvals.services import approval_decide, approval_request
from expedite.audit.services import audit_record
from expedite.cases.lifecycle import case_transition
from expedite.cases.services import case_create
from expedite.cases.triage import case_triage
from expedite.domain.approvals import REFUND_SERVICES
from expedite.domain.audit import AuditKind
from expedite.domain.phrases import Phrase
from expedite.domain.roles import Role
from expedite.reviews.selectors import submission_passed
from expedite.reviews.services import self_check
from expedite.reviews.submission import submission_check
from expedite.work.models import Assignment, StepRun
from expedite.work.steps import step_finish, step_start

from .scale_world import World, draw

US_PER_HOUR = 3_600_000_000
# Working days between intake and `now`, by the state the case is to be in (`std`: the
# service's standard duration).
HOW_FAR_BACK = {
    "draft": lambda r, std: r.randint(1, 2),
    "triaged": lambda r, std: r.randint(1, 3),
    "quoted": lambda r, std: r.randint(1, 5),
    "accepted": lambda r, std: r.randint(1, 4),
    "materials": lambda r, std: r.randint(2, 5),
    "in_progress": lambda r, std: r.randint(2, max(3, std)),
    "on_hold": lambda r, std: r.randint(3, max(4, std)),
    "review": lambda r, std: std + r.randint(4, 8),
    "declined": lambda r, std: r.randint(3, 250),
    "cancelled": lambda r, std: r.randint(3, 250),
}


def walk(world: World, target: str) -> Iterator[dt.datetime]:
    d = draw(world)
    rng, later = world.rng, world.later
    liaison = world.liaison_of[d.client.pk]
    t = world.back(HOW_FAR_BACK[target](rng, d.service.standard_workdays))
    passed, refused = world.facts[d.service.code]
    red_line = target == "declined" and refused is not None and rng.random() < 0.5
    data = d.triage_input(world, t, facts=refused if red_line else passed)
    yield t
    case = case_create(
        actor=liaison,
        client_id=d.client.pk,
        service_code=d.service.code,
        requested_deadline=data.deadline,
        reason=d.reason,
        now=t,
    )
    if target == "draft":
        return

    def move(to: str, reason: str = ""):
        return case_transition(actor=liaison, case=case, to=to, now=t, reason=reason)

    if target == "cancelled" and rng.random() < 0.3:
        t = yield later(t, rng.uniform(1, 8))
        move("cancelled", "客户撤回加急申请。")
        return
    t = yield later(t, rng.uniform(0.2, 2))
    case = case_triage(actor=liaison, case=case, data=data, now=t)
    if target == "triaged":
        return
    if case.verdict == "refused":
        t = yield later(t, rng.uniform(0.5, 4))
        move("declined", "研判结论为不能办理（合规红线），客户不接受改办。")
        return
    t = yield later(t, rng.uniform(0.5, 4))
    case = move("quoted")
    if target in ("quoted", "declined", "cancelled"):
        if target != "quoted":
            t = yield later(t, rng.uniform(1, 16))
            why = "客户不接受报价。" if target == "declined" else "客户改为自行办理。"
            move(target, why)
        return
    if case.verdict == "infeasible":
        t = yield from _approved(world, case, "accept_infeasible", None, liaison, t)
    t = yield later(t, rng.uniform(1, 12))
    _team(world, case, liaison, t)
    case = move("accepted")  # the work follower lays out tracks and steps
    if target == "accepted":
        return
    if target == "materials" or rng.random() < 0.3:
        t = yield later(t, rng.uniform(0.5, 4))
        case = move("materials")
        if target == "materials":
            return
    if d.service.code in REFUND_SERVICES:
        amount = Decimal(rng.randrange(20_000, 2_000_000, 1000))
        t = yield from _approved(world, case, "refund", amount, liaison, t)
    t = yield later(t, rng.uniform(0.5, 8))
    case = move("in_progress")
    hold = None
    if target == "on_hold":
        # Some way into the work, the firm waits on the client.
        span = world.cal.working_time_between(t, world.now)
        hold = world.cal.add_working_time(t, span * rng.uniform(0.1, 0.9))
    process = case.assignments.get(role="process").user
    last = t
    for when, action, step, hours in _steps(world, case, t):
        if hold is not None and when > hold:
            break
        t = yield when
        if action == "start":
            _before_submission(world, case, step, t)
            step_start(actor=process, step=step, now=t)
        else:
            step_finish(actor=process, step=step, now=t, actual_hours=hours)
        last = t
    if target == "on_hold":
        t = yield max(hold, last)
        move("on_hold", "等待客户补充股东决议原件。")
        return
    if target == "in_progress":
        return
    t = yield later(last, rng.uniform(0.5, 3))
    case = move("review")
    if rng.random() < 0.5:
        t = yield later(t, rng.uniform(0.3, 2))
        items = world.catalog.get(d.service.code).checklist
        results = [{"item": i, "ok": True, "note": ""} for i in items]
        self_check(actor=process, case=case, results=results, now=t)


def _approved(world: World, case, action: str, amount, liaison, t: dt.datetime):
    """Ask for the approval a guard waits for; the general manager grants it."""
    t = yield world.later(t, world.rng.uniform(0.2, 2))
    row = approval_request(
        actor=liaison,
        case=case,
        action=action,
        amount=amount,
        justification="客户书面确认接受风险，申请审批。",
        now=t,
    )
    t = yield world.later(t, world.rng.uniform(0.5, 6))
    approval_decide(
        actor=world.one(Role.GENERAL_MANAGER), request=row, grant=True, reason="同意。", now=t
    )
    return t


@transaction.atomic
def _team(world: World, case, liaison, t: dt.datetime) -> None:
    """The team the manager confirms, written as team_assign writes it, before acceptance
    (so the acceptance follower's proposal, which reads the whole firm's load, is skipped)."""
    manager = world.one(Role.MANAGER)
    team = {"liaison": liaison, **world.pick_team(case.service)}
    reason = Phrase("staffing.manager_chose").as_json()
    for role, user in team.items():
        Assignment.objects.update_or_create(
            case=case,
            role=role,
            defaults={
                "user": user,
                "status": Assignment.CONFIRMED,
                "confirmed_by": manager,
                "reason": reason,
            },
        )
    audit_record(
        kind=AuditKind.TEAM_ASSIGNED,
        actor=manager,
        case=case,
        payload={
            role: {"user": staff_display_name(user), "proposed": None}
            for role, user in team.items()
        },
    )


def _steps(world: World, case, begun: dt.datetime):
    """(instant, "start" or "finish", step, hours) for every step laid out: each starts when
    it may and takes its planned working time stretched or shrunk. Sorted, a finish before a
    start at the same instant."""
    cal, rng = world.cal, world.rng
    finished: dict[str, dt.datetime] = {}
    actions = []
    for step in StepRun.objects.filter(case=case).order_by("position"):
        ready = max([begun, step.planned_start] + [finished.get(c, begun) for c in step.depends_on])
        start = cal.at_work_clock(cal.work_clock(ready), starting=True)
        factor = rng.uniform(0.6, 1.2) if rng.random() < 0.85 else rng.uniform(1.3, 2.5)
        took = int(step.duration_us * factor)
        finish = cal.at_work_clock(cal.work_clock(start) + took)
        finished[step.code] = finish
        hours = f"{took / US_PER_HOUR:.2f}"
        actions += [(start, 1, "start", step, None), (finish, 0, "finish", step, hours)]
    actions.sort(key=lambda a: (a[0], a[1], a[3].position))
    return [(when, action, step, hours) for when, _o, action, step, hours in actions]


def _before_submission(world: World, case, step, t: dt.datetime) -> None:
    """递交前复核 by a supervisor before the first step at an authority."""
    definition = world.catalog.get(case.service.code)
    first = definition.first_submission()
    if first is None or first.code != step.code or not definition.submission_checklist:
        return
    if submission_passed(case) is not None:
        return
    results = [{"item": i, "ok": True, "note": ""} for i in definition.submission_checklist]
    submission_check(
        actor=world.rng.choice(world.staff[Role.SUPERVISOR]), case=case, results=results, now=t
    )
