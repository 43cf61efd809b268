"""Delivered, confirmed and closed cases of a scale firm, written as rows (`ops/scale.py`).

A story is planned before the build (`plan_history`): the triage the product's `run_triage`
decides at the instant of triage, the plan the client accepted, each step carried out at
simulated times (most on time, some late), the reviews, delivery, confirmation, survey and
closing. `write_history` then writes, at the intake instant, the rows the services would have
left (the case with its portal link, team, tracks, steps, 递交前复核, reviews, refund
approval, delivery record, survey) and queues an audit event for each thing that happened,
dated when it happened, with the payload its service records.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from expedite.accounts.selectors import staff_display_name
from expedite.approvals.models import ApprovalRequest
from expedite.approvals.selectors import current_rules
from expedite.cases.clocks import clocks_to_json, new_case_clocks
from expedite.cases.models import Case
from expedite.cases.plans import next_working_start, plan_to_dict
from expedite.cases.triage import run_triage, triage_to_dict
from expedite.domain.approvals import REFUND_SERVICES, ApprovalAction, total_required_role
from expedite.domain.audit import AuditKind
from expedite.domain.phrases import Phrase
from expedite.domain.planning import plan
from expedite.domain.roles import Role
from expedite.domain.sla import ClockState
from expedite.domain.triage import Consequence
from expedite.kpi.models import Delivery
from expedite.kpi.services import firm_workdays
from expedite.learning.models import Feedback
from expedite.reviews.models import SELF_CHECK, SUPERVISOR, Review, SubmissionCheck
from expedite.work.models import Assignment, StepRun, Track

from .scale_world import Draw, World, draw

US_PER_HOUR = 3_600_000_000
# The moves of a delivered case, in order, and the stage whose instant each happens at.
MOVES = (
    ("draft", "triaged", None),  # recorded as the triage itself
    ("triaged", "quoted", "quoted"),
    ("quoted", "accepted", "accepted"),
    ("accepted", "in_progress", "in_progress"),
    ("in_progress", "review", "review"),
    ("review", "delivered", "delivered"),
    ("delivered", "confirmed", "confirmed"),
    ("confirmed", "closed", "closed"),
)
LAST_STAGE = {"delivered": "delivered", "confirmed": "feedback", "closed": "closed"}


@dataclass
class History:
    target: str
    draw: Draw
    intake: dt.datetime
    data: object  # TriageInput
    result: object  # domain Triage
    at: dict = field(default_factory=dict)  # stage → instant
    steps: list = field(default_factory=list)  # plan step dicts with actual times
    promised: dict = field(default_factory=dict)
    team: dict = field(default_factory=dict)
    snapshot: dict = field(default_factory=dict)  # the triage as case_triage stores it
    scores: tuple | None = None
    refund: Decimal | None = None

    @property
    def end(self) -> dt.datetime:
        return self.at[LAST_STAGE[self.target]]


def plan_history(world: World, target: str) -> History:
    """The story of one finished case, ending before `now`: started further back when the
    first try would have run past it; another request when the firm could not have taken
    this one at its instant (a red line, a missing prerequisite)."""
    rng = world.rng
    story = None
    while story is None:
        d = draw(world)
        std = d.service.standard_workdays
        back = {
            "closed": rng.randint(std + 10, 250),
            "confirmed": std + rng.randint(4, 8),
            "delivered": std + rng.randint(2, 5),
        }[target]
        for _try in range(6):
            story = _story(world, d, target, world.back(back))
            if story is None or story.end <= world.now:
                break
            over = world.cal.working_time_between(world.now, story.end)
            back += math.ceil(over / world.cal.hours.day_length) + 1
    story.team = {"liaison": world.liaison_of[d.client.pk], **world.pick_team(d.service)}
    return story


def _story(world: World, d: Draw, target: str, intake: dt.datetime) -> History | None:
    rng, later = world.rng, world.later
    at = {"intake": intake, "triaged": later(intake, rng.uniform(0.2, 2))}
    facts = world.facts[d.service.code][0]
    data = d.triage_input(world, at["triaged"], facts=facts)
    result = _triage(world, d, data, at["triaged"])
    if result.verdict.value in ("infeasible", "refused", "blocked"):
        # A finished case was one the firm could take: the client gave it the time it needed.
        offset = d.service.standard_workdays + 2
        data = d.triage_input(world, at["triaged"], facts=facts, offset=offset)
        result = _triage(world, d, data, at["triaged"])
        if result.verdict.value in ("infeasible", "refused", "blocked"):
            return None
    story = History(target=target, draw=d, intake=intake, data=data, result=result)
    at["quoted"] = later(at["triaged"], rng.uniform(0.5, 4))
    at["accepted"] = later(at["quoted"], rng.uniform(1, 12))
    start = at["accepted"]
    if d.service.code in REFUND_SERVICES:
        story.refund = Decimal(rng.randrange(20_000, 2_000_000, 1000))
        at["refund_requested"] = later(start, 0.5)
        at["refund_granted"] = start = later(start, rng.uniform(1, 6))
    at["in_progress"] = later(start, rng.uniform(0.5, 6))
    story.snapshot = triage_to_dict(
        result,
        client=d.client.name,
        service_name=d.service.name_zh,
        deadline=data.deadline,
        tier=d.client.value_tier,
        consequence=Consequence(data.consequence),
    )
    option = story.snapshot["recommended_option"]
    if not (option and option.get("steps")):
        definition = world.catalog.get(d.service.code)
        option = plan_to_dict(plan(definition, next_working_start(at["accepted"]), world.cal))
    story.promised = option
    story.steps = _carried_out(world, option["steps"], at["in_progress"])
    last = max((s["finished_at"] for s in story.steps), default=at["in_progress"])
    at["review"] = later(last, rng.uniform(0.5, 3))
    at["self_check"] = later(at["review"], rng.uniform(0.3, 2))
    at["reviewed"] = later(at["self_check"], rng.uniform(0.5, 4))
    at["delivered"] = later(at["reviewed"], rng.uniform(0.2, 1))
    at["confirmed"] = later(at["delivered"], rng.uniform(1, 16))
    at["feedback"] = later(at["confirmed"], rng.uniform(0.1, 2))
    at["closed"] = later(at["feedback"], rng.uniform(1, 20))
    if rng.random() < 0.8:
        low = rng.random() < 0.06
        story.scores = (2, 3, 3) if low else tuple(rng.choice((4, 5, 5)) for _ in range(3))
    story.at = at
    return story


def _triage(world: World, d: Draw, data, at: dt.datetime):
    return run_triage(
        service_code=d.service.code,
        data=data,
        now=at,
        value_tier=d.client.value_tier,
        catalog=world.catalog,
    )


def _carried_out(world: World, steps: list[dict], begun: dt.datetime) -> list[dict]:
    """Each step starts when it may (planned start, its predecessors done, the work begun)
    and takes its planned working time stretched or shrunk: most on time, some late."""
    cal, rng = world.cal, world.rng
    finished: dict[str, dt.datetime] = {}
    out = []
    for s in steps:
        start_plan = dt.datetime.fromisoformat(s["start"])
        finish_plan = dt.datetime.fromisoformat(s["finish"])
        duration = max(0, cal.work_clock(finish_plan) - cal.work_clock(start_plan))
        ready = max([begun, start_plan] + [finished.get(c, begun) for c in s.get("depends_on", ())])
        factor = rng.uniform(0.6, 1.2) if rng.random() < 0.85 else rng.uniform(1.3, 2.5)
        start = cal.at_work_clock(cal.work_clock(ready), starting=True)
        took = int(duration * factor)
        finish = cal.at_work_clock(cal.work_clock(start) + took)
        finished[s["code"]] = finish
        out.append(
            {
                **s,
                "planned_start": start_plan,
                "planned_finish": finish_plan,
                "duration_us": duration,
                "started_at": start,
                "finished_at": finish,
                "hours": Decimal(took / US_PER_HOUR).quantize(Decimal("0.01")),
            }
        )
    return out


def write_history(world: World, h: History) -> Case:
    """Write the case's rows and queue its events (the caller holds the transaction, and the
    clock at the intake instant)."""
    d, at, team = h.draw, h.at, h.team
    liaison = team["liaison"]
    supervisor = world.rng.choice(world.staff[Role.SUPERVISOR])
    manager = world.one(Role.MANAGER)
    cal = world.cal
    clocks = new_case_clocks(cal).start(h.intake)
    if h.target != "delivered":
        # As a move to confirmed stops them: the firm's work, and any wait on the client.
        for name in ("firm", "client_wait"):
            clock = getattr(clocks, name)
            if clock.state in (ClockState.RUNNING, ClockState.PAUSED):
                clocks = replace(clocks, **{name: clock.stop(at["confirmed"])})
    snapshot = h.snapshot
    snapshot["decided_by"] = staff_display_name(liaison)
    snapshot["decided_at"] = at["triaged"].isoformat()
    snapshot["decided_at_local"] = timezone.localtime(at["triaged"]).strftime("%Y-%m-%d %H:%M")
    snapshot["history"] = []
    case = Case.objects.create(
        catalog_version=world.catalog_version,
        client=d.client,
        service=d.service,
        requested_deadline=h.data.deadline,
        reason=d.reason,
        created_by=liaison,
        state=h.target,
        verdict=h.result.verdict.value,
        priority=h.result.priority.score,
        triage=snapshot,
        intake={"staff": h.data.as_json()},
        clocks=clocks_to_json(clocks),
    )
    case.reference = f"JJ-{h.intake.astimezone(cal.tz):%Y}-{case.pk:05d}"
    Case.objects.filter(pk=case.pk).update(
        reference=case.reference, created_at=h.intake, updated_at=h.end
    )
    add = world.chain.add
    add(
        time=h.intake,
        kind=AuditKind.CASE_CREATED,
        actor=liaison,
        case_id=case.pk,
        payload={
            "reference": case.reference,
            "client_id": d.client.pk,
            "service": d.service.code,
            "requested_deadline": h.data.deadline.isoformat(),
            "reason": d.reason,
        },
    )
    add(
        time=at["triaged"],
        kind=AuditKind.CASE_TRIAGED,
        actor=liaison,
        case_id=case.pk,
        payload={
            "verdict": h.result.verdict.value,
            "previous": None,
            "fired_rules": [f.rule.code for f in h.result.fired],
            "priority": h.result.priority.score,
            "intake": h.data.as_json(),
        },
    )
    _team(world, h, case, manager)
    final = list(MOVES).index(next(m for m in MOVES if m[1] == h.target))
    for before, after, stage in MOVES[1 : final + 1]:
        client_move = after == "confirmed"
        add(
            time=at[stage],
            kind=AuditKind.CASE_STATE_CHANGED,
            actor=None if client_move else liaison,
            client="client" if client_move else "",
            case_id=case.pk,
            payload={"from": before, "to": after, "reason": ""},
        )
    _work(world, h, case, supervisor)
    _reviews(world, h, case, supervisor)
    Delivery.objects.create(
        case=case, delivered_at=at["delivered"], workdays=firm_workdays(case, at["delivered"])
    )
    if h.refund is not None:
        _refund(world, h, case)
    if h.scores and h.target != "delivered":
        Feedback.objects.create(
            case=case,
            timeliness=h.scores[0],
            communication=h.scores[1],
            result=h.scores[2],
            comment="时效很快。" if min(h.scores) > 3 else "中途有几天没有进度消息。",
            created_at=at["feedback"],
        )
        add(
            time=at["feedback"],
            kind=AuditKind.FEEDBACK_SUBMITTED,
            client=world.contact_of.get(d.client.pk) or "client",
            case_id=case.pk,
            payload={
                "timeliness": h.scores[0],
                "communication": h.scores[1],
                "result": h.scores[2],
                "low": min(h.scores) <= 2,
            },
        )
    return case


def _team(world: World, h: History, case: Case, manager) -> None:
    """As team_assign writes a team the manager chose, just before acceptance."""
    reason = Phrase("staffing.manager_chose").as_json()
    Assignment.objects.bulk_create(
        Assignment(
            case=case,
            role=role,
            user=user,
            status=Assignment.CONFIRMED,
            confirmed_by=manager,
            reason=reason,
        )
        for role, user in h.team.items()
    )
    world.chain.add(
        time=h.at["accepted"],
        kind=AuditKind.TEAM_ASSIGNED,
        actor=manager,
        case_id=case.pk,
        payload={
            role: {"user": staff_display_name(user), "proposed": None}
            for role, user in h.team.items()
        },
    )


def _work(world: World, h: History, case: Case, supervisor) -> None:
    """Tracks and steps as plan_lay_out lays them out, carried out; the 递交前复核 before
    the first step at an authority."""
    process, add, cal = h.team["process"], world.chain.add, world.cal
    definition = world.catalog.get(h.draw.service.code)
    skills = {t.code: t.skill for t in definition.steps}
    track_name = {s["code"]: s.get("track") or gettext("本所") for s in h.steps}
    names = list(dict.fromkeys(track_name.values()))
    tracks = Track.objects.bulk_create(
        Track(
            case=case,
            name=name,
            position=i,
            status="done",
            updated_at=max(s["finished_at"] for s in h.steps if track_name[s["code"]] == name),
            updated_by=process,
        )
        for i, name in enumerate(names)
    )
    track_of = dict(zip(names, tracks, strict=True))
    StepRun.objects.bulk_create(
        StepRun(
            case=case,
            track=track_of[track_name[s["code"]]],
            code=s["code"],
            name=s["name"],
            role=s.get("role", ""),
            skill=s.get("skill") or skills.get(s["code"], ""),
            milestone=s.get("milestone", ""),
            position=i,
            depends_on=list(s.get("depends_on", [])),
            duration_us=s["duration_us"],
            planned_start=s["planned_start"],
            planned_finish=s["planned_finish"],
            critical=bool(s.get("critical")),
            started_at=s["started_at"],
            finished_at=s["finished_at"],
            actual_hours=s["hours"],
        )
        for i, s in enumerate(h.steps)
    )
    add(
        time=h.at["accepted"],
        kind=AuditKind.PLAN_LAID_OUT,
        actor=h.team["liaison"],
        case_id=case.pk,
        payload={
            "levers": h.promised.get("levers", []),
            "finish": h.promised.get("finish"),
            "tracks": names,
            "steps": [s["code"] for s in h.steps],
        },
    )
    first = definition.first_submission()
    checklist = definition.submission_checklist
    for s in h.steps:
        track = track_name[s["code"]]
        if first is not None and s["code"] == first.code and checklist:
            checked = max(h.at["in_progress"], s["started_at"] - dt.timedelta(minutes=30))
            SubmissionCheck.objects.create(
                case=case,
                reviewer=supervisor,
                results=[{"item": i, "ok": True, "note": ""} for i in checklist],
                passed=True,
                created_at=checked,
            )
            add(
                time=checked,
                kind=AuditKind.REVIEW_SUBMISSION_CHECKED,
                actor=supervisor,
                case_id=case.pk,
                payload={"passed": True, "problems": []},
            )
        add(
            time=s["started_at"],
            kind=AuditKind.STEP_STARTED,
            actor=process,
            case_id=case.pk,
            payload={"step": s["code"], "name": s["name"], "track": track},
        )
        late = cal.work_clock(s["finished_at"]) - cal.work_clock(s["planned_finish"])
        add(
            time=s["finished_at"],
            kind=AuditKind.STEP_FINISHED,
            actor=process,
            case_id=case.pk,
            payload={
                "step": s["code"],
                "name": s["name"],
                "track": track,
                "actual_hours": str(s["hours"]),
                "late_by_us": max(0, late),
                "note": "",
            },
        )


def _reviews(world: World, h: History, case: Case, supervisor) -> None:
    """The self-check and the supervisor's review, both passed in the first round."""
    definition = world.catalog.get(h.draw.service.code)
    results = [{"item": i, "ok": True, "note": ""} for i in definition.checklist]
    process = h.team["process"]
    for stage, who, when in (
        (SELF_CHECK, process, h.at["self_check"]),
        (SUPERVISOR, supervisor, h.at["reviewed"]),
    ):
        review = Review.objects.create(
            case=case, stage=stage, round=1, reviewer=who, results=results, files=[],
            passed=True, created_at=when,
        )  # fmt: skip
        payload = {"review": review.pk, "round": 1, "passed": True, "problems": [], "files": []}
        if stage == SUPERVISOR:
            payload |= {"handler": staff_display_name(process), "shared": [], "findings": []}
        world.chain.add(
            time=when,
            kind=AuditKind.REVIEW_SELF_CHECKED
            if stage == SELF_CHECK
            else AuditKind.REVIEW_REVIEWED,
            actor=who,
            case_id=case.pk,
            payload=payload,
        )


def _refund(world: World, h: History, case: Case) -> None:
    """The refund approval filing waits for, granted by the general manager."""
    liaison, boss = h.team["liaison"], world.one(Role.GENERAL_MANAGER)
    row = ApprovalRequest.objects.create(
        case=case,
        action="refund",
        amount=h.refund,
        blocks="in_progress",
        justification="客户资金周转需要，申请加急退税。",
        requested_by=liaison,
        requested_at=h.at["refund_requested"],
        required_role=total_required_role(
            current_rules(), ApprovalAction.REFUND, h.refund, already=Decimal(0)
        ).value,
        status=ApprovalRequest.GRANTED,
        decided_by=boss,
        decided_at=h.at["refund_granted"],
        decision_reason="同意。",
    )
    common = {
        "approval": row.pk,
        "action": row.action,
        "amount": str(row.amount),
        "blocks": row.blocks,
        "required_role": row.required_role,
    }
    world.chain.add(
        time=h.at["refund_requested"],
        kind=AuditKind.APPROVAL_REQUESTED,
        actor=liaison,
        case_id=case.pk,
        payload={**common, "total": str(row.amount), "justification": row.justification},
    )
    world.chain.add(
        time=h.at["refund_granted"],
        kind=AuditKind.APPROVAL_GRANTED,
        actor=boss,
        case_id=case.pk,
        payload={**common, "reason": row.decision_reason},
    )
