"""Who does which step when, across all active cases: propose (on demand, nightly), accept.

The solving is the pure `expedite.domain.scheduling`; this module reads its input
(`schedule_input.py`), keeps proposals and writes an accepted one into the steps' planned
dates and people and the cases' roles, in one audited transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.audit.services import audit_record
from expedite.cases.models import Case
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.phrases import Phrase
from expedite.domain.roles import Capability
from expedite.domain.scheduling import (
    Objective,
    Placement,
    Portfolio,
    Schedule,
    case_tardiness,
    check,
    solve_best,
)
from expedite.domain.scheduling.portfolio import Progress
from expedite.domain.staffing import CASE_ROLES, check_team

from .models import Assignment, ScheduleProposal
from .schedule_input import Inputs, load_inputs

SOLVERS = {"greedy": 0.0, "cpsat": 5.0}  # solver → time limit (s) for a re-plan on demand
# Wall-clock seconds: a bounded job on the queue matters more at night than a repeatable
# answer (a second run with the same data adds nothing anyway, see schedule_nightly).
NIGHTLY_SOLVER, NIGHTLY_LIMIT = "cpsat", 30.0


def require_planner(actor) -> None:
    if not user_can(actor, Capability.PLAN_SCHEDULE):
        raise NotAllowed(_("只有经理可以重新排期或采纳排期。"))


def _as_schedule(placements: dict[str, Placement], solver: str) -> Schedule:
    return Schedule(
        placements=placements,
        objective=Objective(0.0, 0, 0),
        solver=solver,
        optimal=False,
        seconds=0.0,
    )


def weighted(inputs: Inputs, placements: dict[str, Placement]) -> tuple[dict[str, int], float]:
    """Hours late per case, and their sum weighted by each case's priority."""
    late = case_tardiness(inputs.problem, _as_schedule(placements, "plan"))
    weights = {t.case_id: t.weight for t in inputs.problem.tasks}
    return late, float(sum(weights[c] * h for c, h in late.items()))


def _conflicts(inputs: Inputs) -> list[dict]:
    """What is wrong with the plan in force: a person on two steps at once or planned while
    away, a step with someone lacking its skill, a step nobody holding its role can do."""
    tasks = {t.id: t for t in inputs.problem.tasks}
    found = []
    for w in inputs.problem.workers:
        mine = sorted(
            (p for p in inputs.current.values() if p.worker_id == w.id and p.end > p.start),
            key=lambda p: (p.start, p.task_id),
        )
        # Overlapping steps as clusters: one line per stretch of double booking, not per pair.
        cluster: list[Placement] = []
        reach = -1
        for p in [*mine, None]:
            if p is not None and p.start < reach:
                cluster.append(p)
                reach = max(reach, p.end)
                continue
            if len(cluster) > 1:
                ids = [q.task_id for q in cluster]
                found.append(_conflict("capacity", w.id, ids, cluster[1].start, _double(cluster)))
            cluster, reach = ([p], p.end) if p is not None else ([], -1)
        for p in mine:
            for a, b in inputs.away.get(w.id, w.blocked):
                if a < p.end and p.start < b:
                    hours = min(b, p.end) - max(a, p.start)
                    found.append(_conflict("calendar", w.id, [p.task_id], max(a, p.start), hours))
            if tasks[p.task_id].skill not in w.skills:
                found.append(_conflict("skill", w.id, [p.task_id], p.start, p.end - p.start))
    found += [_conflict("unstaffed", None, [t], inputs.now_index, 0) for t in inputs.unstaffed]
    return found


def _double(placements: list[Placement]) -> int:
    """Hours in which two or more of the placements run at once."""
    events = sorted([(p.start, 1) for p in placements] + [(p.end, -1) for p in placements])
    total, active, since = 0, 0, 0
    for at, step in events:
        if active >= 2:
            total += at - since
        active += step
        since = at
    return total


def _conflict(kind: str, worker: str | None, steps: list[str], at: int, hours: int) -> dict:
    return {"kind": kind, "worker": worker, "steps": steps, "at": at, "hours": hours}


def summarize(inputs: Inputs, result: Portfolio) -> dict:
    """Per case: deadline, weight, the plan's finish and lateness, the proposal's; conflicts;
    the weighted tardiness of every plan computed in the run."""
    schedule = result.best
    late_now, _cost = weighted(inputs, inputs.current)
    late_new = case_tardiness(inputs.problem, schedule)
    cases = {}
    by_case: dict[str, list] = {}
    for t in inputs.problem.tasks:
        by_case.setdefault(t.case_id, []).append(t)
    for cid in inputs.cases:
        tasks = by_case[cid]
        cases[cid] = {
            "due": tasks[0].due,
            "weight": tasks[0].weight,
            "plan_end": max(inputs.current[t.id].end for t in tasks),
            "new_end": max(schedule.placements[t.id].end for t in tasks),
            "plan_late": late_now.get(cid, 0),
            "new_late": late_new.get(cid, 0),
        }
    # Like with like: the current plan's figure ignores double booking, so the proposal is also
    # set against a conflict-free plan made the plain way, by deadline order without optimizing
    # (one of the candidates of the same run: the proposal is never worse than it).
    return {
        "cases": cases,
        "conflicts": _conflicts(inputs),
        "now": inputs.now_index,
        "edf_tardiness": result.plans["edf"].objective.weighted_tardiness,
        "plans": {name: s.objective.weighted_tardiness for name, s in result.plans.items()},
    }


def _solve(
    inputs: Inputs, solver: str, time_limit: float, progress: Progress | None = None
) -> Portfolio:
    """The best of the simple plans and (cpsat) CP-SAT seeded with it, which gets `time_limit`
    wall-clock seconds of its own: CP-SAT's deterministic time can run several times longer on
    a busy machine, and a manager (or the queue at night) is waiting. CP-SAT runs on
    EXPEDITE_SOLVER_THREADS threads (on the product's data at 1,000 cases, 30 s: 0.95 of the
    deadline-order plan's weighted tardiness on two threads, 0.99 on one)."""
    result = solve_best(
        inputs.problem,
        solver=solver,
        time_limit=time_limit,
        seed=0,
        workers=settings.EXPEDITE_SOLVER_THREADS,
        deterministic=False,
        progress=progress,
    )
    problems = check(inputs.problem, result.best)
    if problems:  # never accept what the checker refuses, whichever solver made it
        raise ValidationFailed(
            gettext_noop("排期结果未通过校验：%(detail)s"),
            field="solver",
            params={"detail": problems[0].detail},
        )
    return result


def schedule_propose(
    *,
    actor,
    now: dt.datetime,
    solver: str = "greedy",
    time_limit: float | None = None,
    nightly: bool = False,
    progress: Progress | None = None,
) -> ScheduleProposal:
    """Solve the open steps of all active cases and keep the result for review (pending).
    `time_limit` is CP-SAT's own (the simple plans are made before it and not counted)."""
    if not nightly:
        require_planner(actor)
    if solver not in SOLVERS:
        raise ValidationFailed(_("未知的排期方法。"), field="solver")
    inputs = load_inputs(now=now)
    if not inputs.problem.tasks:
        raise ValidationFailed(_("没有进行中的加急单需要排期。"), field="solver")
    limit = time_limit if time_limit is not None else SOLVERS[solver] or 1.0
    # Solved outside the transaction (CP-SAT may take its whole limit); a proposal made from
    # data that changes meanwhile is refused at acceptance by its fingerprint.
    result = _solve(inputs, solver, limit, progress)
    if progress is not None:
        progress("storing", 0.0)
    return _store(actor, now, inputs, result, nightly=nightly)


@transaction.atomic
def _store(actor, now: dt.datetime, inputs: Inputs, result: Portfolio, *, nightly: bool):
    schedule = result.best
    _late, baseline = weighted(inputs, inputs.current)
    ScheduleProposal.objects.filter(status=ScheduleProposal.PENDING).update(
        status=ScheduleProposal.SUPERSEDED
    )
    proposal = ScheduleProposal.objects.create(
        created_at=now,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        nightly=nightly,
        solver=schedule.solver,
        optimal=schedule.optimal,
        seconds=round(schedule.seconds, 3),
        origin=inputs.clock.start_at(0),
        slot_minutes=inputs.clock.slot_us / 60_000_000,
        weighted_tardiness=schedule.objective.weighted_tardiness,
        makespan=schedule.objective.makespan,
        changes=schedule.objective.changes,
        baseline_tardiness=baseline,
        placements={tid: [p.start, p.end, p.worker_id] for tid, p in schedule.placements.items()},
        summary=summarize(inputs, result),
        fingerprint=inputs.fingerprint,
    )
    audit_record(
        kind=AuditKind.SCHEDULE_PROPOSED,
        actor=actor if not nightly else None,
        payload={
            "proposal": proposal.pk,
            "solver": proposal.solver,
            "optimal": proposal.optimal,
            "steps": len(proposal.placements),
            "weighted_tardiness": proposal.weighted_tardiness,
            "baseline_tardiness": baseline,
            "makespan": proposal.makespan,
            "changes": proposal.changes,
            "nightly": nightly,
        },
    )
    return proposal


def schedule_nightly(
    *, now: dt.datetime, solver: str = NIGHTLY_SOLVER, time_limit: float = NIGHTLY_LIMIT
) -> dict:
    """The night's proposal, once per state of the data: a second run with nothing changed
    (or the same night twice) adds nothing."""
    inputs = load_inputs(now=now)
    if not inputs.problem.tasks:
        return {"proposal": None, "reason": "nothing to schedule"}
    same = ScheduleProposal.objects.filter(
        fingerprint=inputs.fingerprint,
        status__in=[ScheduleProposal.PENDING, ScheduleProposal.ACCEPTED],
    ).first()
    if same is not None:
        return {"proposal": same.pk, "created": False}
    proposal = schedule_propose(
        actor=None, now=now, solver=solver, time_limit=time_limit, nightly=True
    )
    return {"proposal": proposal.pk, "created": True}


@transaction.atomic
def schedule_accept(*, actor, proposal: ScheduleProposal, now: dt.datetime) -> ScheduleProposal:
    """Write the proposal into the plan: each step's planned dates and person, each case's
    people in its roles. Refused when anything it was made from has changed since."""
    require_planner(actor)
    proposal = ScheduleProposal.objects.select_for_update(no_key=True).get(pk=proposal.pk)
    if proposal.status != ScheduleProposal.PENDING:
        raise ValidationFailed(
            _("该排期建议已被采纳或已被更新的建议取代，请查看最新建议。"), field="proposal"
        )
    inputs = load_inputs(now=now)
    if inputs.fingerprint != proposal.fingerprint or set(inputs.steps) != set(proposal.placements):
        raise ValidationFailed(
            _(
                "排期建议生成后，步骤进度、分工、请假或截止日期已有变化（或已跨工作日），"
                "建议已过时。请点击“重新排期”后再采纳。"
            ),
            field="proposal",
        )
    clock = inputs.clock
    first_of_role: dict[tuple[int, str], tuple[int, str]] = {}
    for tid, (start, _end, worker) in proposal.placements.items():
        step = inputs.steps[tid]
        if worker is not None and step.role in CASE_ROLES:
            key = (step.case_id, step.role)
            if key not in first_of_role or start < first_of_role[key][0]:
                first_of_role[key] = (start, worker)
    teams = _new_teams(first_of_role)
    blocked = {c for c, _r in first_of_role} - set(teams)
    moved = 0
    for tid, (start, end, worker) in proposal.placements.items():
        step = inputs.steps[tid]
        fields = []
        # A case whose new team would break the four-eyes rule keeps its people on every step.
        if worker is not None and step.case_id not in blocked and str(step.assignee_id) != worker:
            step.assignee_id = int(worker)
            fields.append("assignee")
        if step.started_at is None:
            new_start, new_finish = clock.start_at(start), clock.end_at(end)
            if (new_start, new_finish) != (step.planned_start, step.planned_finish):
                step.planned_start, step.planned_finish = new_start, new_finish
                fields += ["planned_start", "planned_finish"]
        if fields:
            step.save(update_fields=fields)
            moved += 1
    changed = _update_roles(actor, teams, proposal=proposal.pk)
    proposal.status = ScheduleProposal.ACCEPTED
    proposal.decided_at = now
    proposal.decided_by = actor
    proposal.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(
        kind=AuditKind.SCHEDULE_ACCEPTED,
        actor=actor,
        payload={
            "proposal": proposal.pk,
            "solver": proposal.solver,
            "steps_changed": moved,
            "roles_changed": changed,
            "weighted_tardiness": proposal.weighted_tardiness,
            "baseline_tardiness": proposal.baseline_tardiness,
        },
    )
    return proposal


def _new_teams(first_of_role: dict[tuple[int, str], tuple[int, str]]) -> dict[int, dict]:
    """Per case the schedule touches: (current team, roles it would change), for the cases
    whose new team passes the four-eyes check; the others keep their people."""
    cases = {c for c, _r in first_of_role}
    current = {
        (a.case_id, a.role): a.user_id
        for a in Assignment.objects.select_for_update(no_key=True).filter(case__in=cases)
    }
    teams = {}
    for case_id in sorted(cases):
        team = {r: u for (c, r), u in current.items() if c == case_id}
        wanted = {r: int(w) for (c, r), (_s, w) in first_of_role.items() if c == case_id}
        try:
            check_team({**team, **wanted})
        except ValidationFailed:
            continue
        teams[case_id] = (team, wanted)
    return teams


def _update_roles(actor, teams: dict[int, tuple[dict, dict]], *, proposal: int) -> list[dict]:
    """A case's person in a role becomes whoever does its next step of that role; each case
    whose team changes records it in its own history."""
    changed = []
    for case_id, (team, wanted) in teams.items():
        payload = {}
        for role, user_id in wanted.items():
            if team.get(role) == user_id:
                continue
            assignment, _created = Assignment.objects.update_or_create(
                case_id=case_id,
                role=role,
                defaults={
                    "user_id": user_id,
                    "status": Assignment.CONFIRMED,
                    "confirmed_by": actor,
                    # Said in each reader's language, not the adopting manager's.
                    "reason": Phrase("staffing.schedule_adopted").as_json(),
                },
            )
            changed.append({"case": case_id, "role": role, "user": user_id})
            payload[role] = {
                "user": staff_display_name(assignment.user),
                "before": team.get(role),
            }
        if payload:
            audit_record(
                kind=AuditKind.TEAM_ASSIGNED,
                actor=actor,
                case=Case.objects.get(pk=case_id),
                payload={**payload, "schedule": proposal},
            )
    return changed


def latest_proposal() -> ScheduleProposal | None:
    return ScheduleProposal.objects.select_related("created_by", "decided_by").first()


def proposal_is_current(proposal: ScheduleProposal, *, now: dt.datetime) -> bool:
    return load_inputs(now=now).fingerprint == proposal.fingerprint
