"""The scheduler in the product: its input from the database, proposals, accepting, the job,
the workload page."""

import datetime as dt

import pytest
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.roles import Role
from expedite.domain.scheduling import Objective, Placement, Schedule, check
from expedite.work import schedule as schedule_module
from expedite.work.models import Absence, Assignment, ScheduleProposal, StepRun
from expedite.work.schedule import schedule_accept, schedule_nightly, schedule_propose
from expedite.work.schedule_input import load_inputs
from expedite.work.schedule_runs import schedule_run
from expedite.work.steps import step_start
from expedite.work.team import absence_add, profile_save, team_assign
from expedite.workdays.selectors import firm_calendar
from tests.web.test_work import accept, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def competing(world, make_user):
    """Two running cases whose process steps need li (工商, 外资); li2 knows neither."""
    world.li2 = make_user("li2", Role.PROCESS, first_name="强", last_name="王")
    for user, skills in ((world.li, ["外资", "工商"]), (world.li2, ["社保"])):
        profile_save(actor=world.chen, user=user, skills=skills, capacity_hours=8, expedite_team=1)
    profile_save(
        actor=world.chen, user=world.wang, skills=["外资"], capacity_hours=8, expedite_team=1
    )
    world.loan = accept(world, open_case(world, reason="银行贷款需要营业执照", days=40))
    world.project = accept(world, open_case(world, reason="项目验收需要变更登记", days=20))
    for c in (world.loan, world.project):
        team_assign(
            actor=world.chen,
            case=c,
            choices={"liaison": world.zhang.pk, "process": world.li.pk, "risk": world.wang.pk},
        )
    return world


def test_the_hour_axis_counts_working_hours_through_a_makeup_day_and_an_absence(competing):
    world = competing
    # Friday 13 Feb 2026, 10:00; Saturday the 14th is a 调休 working day (春节), then nine days
    # of holiday until Tuesday the 24th.
    now = dt.datetime(2026, 2, 13, 10, 0, tzinfo=SHANGHAI)
    case = world.project
    case.requested_deadline = dt.date(2026, 2, 14)
    case.save(update_fields=["requested_deadline"])
    step = StepRun.objects.filter(case=case).order_by("position").first()  # nothing before it
    StepRun.objects.filter(pk=step.pk).update(
        planned_start=dt.datetime(2026, 2, 24, 9, 0, tzinfo=SHANGHAI)
    )
    Absence.objects.create(
        user=world.li, start=dt.date(2026, 2, 14), end=dt.date(2026, 2, 24), reason="年假"
    )
    inputs = load_inputs(now=now)
    assert inputs.clock.slots == 8  # 7.5 office hours a day
    # 10:00 is an hour into the day's 7.5 h: slot 2 (of 56¼ minutes) is the first free one.
    assert inputs.now_index == 2
    tasks = {t.id: t for t in inputs.problem.tasks}
    mine = [t for t in tasks.values() if t.case_id == str(case.pk)]
    # By the end of Saturday: Friday and the make-up Saturday, two working days.
    assert {t.due for t in mine} == {16}
    # The 24th is the third working day: the holiday takes no room on the axis.
    assert tasks[str(step.pk)].current_start == 16
    assert inputs.current[str(step.pk)].start == 16
    li = next(w for w in inputs.problem.workers if w.id == str(world.li.pk))
    # Away Saturday (hours 8–16) and Tuesday (16–24), nothing for the holiday in between.
    assert li.blocked == ((8, 24),)
    # The step's duration is its planned working time, in the same hours.
    assert tasks[str(step.pk)].hours == inputs.clock.hours(step.duration_us)
    assert tasks[str(step.pk)].skill == f"{step.role}:{step.skill}" == "risk:外资"
    assert tasks[str(step.pk)].current_worker == str(world.wang.pk)
    # A day later the same data on the new day is a different proposal's input.
    assert load_inputs(now=now + dt.timedelta(days=1)).fingerprint != inputs.fingerprint


def test_a_proposal_is_valid_waits_someone_and_accepting_writes_the_plan(competing):
    world = competing
    now = timezone.now()
    proposal = schedule_propose(actor=world.chen, now=now, solver="greedy")
    inputs = load_inputs(now=now)
    assert proposal.fingerprint == inputs.fingerprint
    # li cannot do both cases' process steps at once in the plan in force.
    assert any(c["kind"] == "capacity" for c in proposal.summary["conflicts"])
    from expedite.domain.scheduling import Objective, Placement, Schedule

    placements = {t: Placement(t, s, e, w) for t, (s, e, w) in proposal.placements.items()}
    assert check(inputs.problem, Schedule(placements, Objective(0, 0, 0), "x", False, 0)) == []
    assert AuditEvent.objects.filter(kind=AuditKind.SCHEDULE_PROPOSED).count() == 1
    # The like-for-like yardstick: a conflict-free plan in deadline order, never better.
    from expedite.domain.scheduling import solve

    edf = solve(inputs.problem, solver="edf").objective.weighted_tardiness
    assert proposal.summary["edf_tardiness"] == edf >= proposal.weighted_tardiness

    schedule_accept(actor=world.chen, proposal=proposal, now=now)
    proposal.refresh_from_db()
    assert proposal.status == ScheduleProposal.ACCEPTED and proposal.decided_by == world.chen
    clock = inputs.clock
    for tid, (start, end, worker) in proposal.placements.items():
        step = StepRun.objects.get(pk=int(tid))
        if step.started_at is None:
            assert step.planned_start == clock.start_at(start)
            assert step.planned_finish == clock.end_at(end)
        if worker is not None:
            assert step.assignee_id == int(worker)
    event = AuditEvent.objects.get(kind=AuditKind.SCHEDULE_ACCEPTED)
    assert event.payload["proposal"] == proposal.pk and event.payload["steps_changed"] > 0
    # The loan's process role goes to whoever does its first process step in the proposal.
    first = min(
        (start, worker)
        for tid, (start, _end, worker) in proposal.placements.items()
        if inputs.steps[tid].case_id == world.loan.pk and inputs.steps[tid].role == "process"
    )
    assert Assignment.objects.get(case=world.loan, role="process").user_id == int(first[1])
    # Accepted once: a second time is refused.
    with pytest.raises(ValidationFailed):
        schedule_accept(actor=world.chen, proposal=proposal, now=now)


def test_only_a_manager_replans_or_accepts(competing):
    world = competing
    with pytest.raises(NotAllowed):
        schedule_propose(actor=world.li, now=timezone.now())
    proposal = schedule_propose(actor=world.chen, now=timezone.now())
    with pytest.raises(NotAllowed):
        schedule_accept(actor=world.zhao, proposal=proposal, now=timezone.now())
    proposal.refresh_from_db()
    assert proposal.status == ScheduleProposal.PENDING
    assert not AuditEvent.objects.filter(kind=AuditKind.SCHEDULE_ACCEPTED).exists()


@pytest.mark.parametrize("change", ["step_started", "absence"])
def test_a_stale_proposal_is_refused_and_nothing_changes(competing, change):
    world = competing
    now = timezone.now()
    proposal = schedule_propose(actor=world.chen, now=now)
    before = list(StepRun.objects.order_by("pk").values_list("planned_start", "assignee_id"))
    if change == "step_started":
        first = StepRun.objects.filter(case=world.project).order_by("position").first()
        step_start(actor=world.zhang, step=first, now=now)
    else:
        # From the day work next happens: at 23:30 on 31 December that is after New Year.
        start = next_working_day()
        absence_add(
            actor=world.li,
            user=world.li,
            start=start,
            end=start + dt.timedelta(days=2),
            reason="培训",
        )
    with pytest.raises(ValidationFailed, match="已过时"):
        schedule_accept(actor=world.chen, proposal=proposal, now=now)
    proposal.refresh_from_db()
    assert proposal.status == ScheduleProposal.PENDING
    after = list(StepRun.objects.order_by("pk").values_list("planned_start", "assignee_id"))
    assert after == before
    assert not AuditEvent.objects.filter(kind=AuditKind.SCHEDULE_ACCEPTED).exists()


def next_working_day() -> dt.date:
    """The day work next happens: today during working hours, else the next working day."""
    cal = firm_calendar()
    return cal.at_work_clock(cal.work_clock(timezone.now()), starting=True).date()


def test_the_nightly_job_proposes_once_per_state_of_the_data(competing):
    from huey.contrib.djhuey import HUEY

    from expedite.jobs import schedule_nightly as job

    assert job.task_class in HUEY._registry._periodic_tasks
    at = job.task_class().validate_datetime
    assert at(dt.datetime(2026, 11, 27, 3, 15)) and not at(dt.datetime(2026, 11, 27, 9, 15))
    first = job.call_local()
    assert first["created"] is True
    again = job.call_local()
    assert again == {"proposal": first["proposal"], "created": False}
    proposal = ScheduleProposal.objects.get()
    assert proposal.nightly and proposal.created_by is None and proposal.status == "pending"
    # Something changed: the next night's run proposes again and the old one is superseded.
    away = next_working_day()
    absence_add(actor=competing.li, user=competing.li, start=away, end=away, reason="外出")
    third = schedule_nightly(now=timezone.now(), solver="greedy")
    assert third["created"] is True
    assert ScheduleProposal.objects.get(pk=first["proposal"]).status == "superseded"


def test_the_workload_page_on_demo_data_shows_the_gantt_conflicts_and_who_gives(client, catalog):
    from expedite.ops.demo import DEMO_PASSWORD, demo_load

    demo_load(now=timezone.now())
    assert client.login(username="chenjing", password=DEMO_PASSWORD)
    page = client.get("/board/schedule/").content.decode()
    assert 'class="schedule-gantt"' in page and "李强" in page
    assert 'id="accept"' in page
    assert "只按截止日期先后排（不优化）的加权逾期" in page
    conflicts = page.split('id="conflicts"')[1].split("</section>")[0]
    assert "同时被排了" in conflicts
    gives = page.split('id="gives"')[1].split("</section>")[0]
    assert "<tbody>" in gives and "小时" in gives
    board = client.get("/board/").content.decode()
    assert "/board/schedule/" in board
    # A process specialist sees the page but no buttons; a re-plan attempt is refused.
    assert client.login(username="liqiang", password=DEMO_PASSWORD)
    page = client.get("/board/schedule/").content.decode()
    assert 'id="accept"' not in page and 'id="replan"' not in page
    page = client.post("/board/schedule/", {"solver": "greedy"}, follow=True).content.decode()
    assert "只有经理可以重新排期" in page
    client.logout()
    assert client.get("/board/schedule/").status_code == 302


def test_cpsat_on_demand_is_no_worse_than_greedy_and_passes_the_checker(competing):
    world = competing
    now = timezone.now()
    greedy = schedule_propose(actor=world.chen, now=now, solver="greedy")
    cpsat = schedule_propose(actor=world.chen, now=now, solver="cpsat", time_limit=2.0)
    assert cpsat.solver.startswith("cpsat")
    assert cpsat.weighted_tardiness <= greedy.weighted_tardiness
    # Never worse than a simple plan of the same run (greedy rules, deadline and arrival order).
    plans = cpsat.summary["plans"]
    assert {"greedy:min_slack", "greedy:lft", "greedy:wedf", "edf", "fifo"} <= set(plans)
    assert all(cpsat.weighted_tardiness <= wt for wt in plans.values())
    greedy.refresh_from_db()
    assert greedy.status == ScheduleProposal.SUPERSEDED and cpsat.status == "pending"
    inputs = load_inputs(now=now)
    placements = {t: Placement(t, s, e, w) for t, (s, e, w) in cpsat.placements.items()}
    assert check(inputs.problem, Schedule(placements, Objective(0, 0, 0), "x", False, 0)) == []


def test_conflicts_name_absences_and_steps_nobody_can_do(competing, client):
    world = competing
    today = timezone.localdate()
    absence_add(
        actor=world.li, user=world.li, start=today, end=today + dt.timedelta(days=14), reason="外派"
    )
    world.wang.groups.clear()  # the only risk reviewer leaves the role
    proposal = schedule_propose(actor=world.chen, now=timezone.now())
    kinds = {(c["kind"], c["worker"]) for c in proposal.summary["conflicts"]}
    assert ("calendar", str(world.li.pk)) in kinds
    assert ("unstaffed", None) in kinds
    inputs = load_inputs(now=timezone.now())
    li = next(w for w in inputs.problem.workers if w.id == str(world.li.pk))
    for start, end, worker in proposal.placements.values():
        if worker == str(world.li.pk):
            assert all(end <= a or start >= b for a, b in li.blocked)
    client.force_login(world.chen)
    page = client.get("/board/schedule/").content.decode()
    assert "请假/外出期间被排了" in page and "没有人能做" in page
    # The data changes under the proposal: the page says so and offers no accept button.
    absence_add(
        actor=world.li,
        user=world.li,
        start=today + dt.timedelta(days=30),
        end=today + dt.timedelta(days=31),
        reason="培训",
    )
    page = client.get("/board/schedule/").content.decode()
    assert "已过时" in page and 'id="accept"' not in page


def test_a_step_under_way_when_its_person_is_away_still_schedules(competing):
    world = competing
    now = timezone.now()
    first = StepRun.objects.filter(case=world.project).order_by("position").first()
    step_start(actor=world.zhang, step=first, now=now)
    # Away on the day the step goes on: today, or the next workday once today's hours are over.
    away = next_working_day()
    absence_add(actor=world.wang, user=world.wang, start=away, end=away, reason="病假")
    proposal = schedule_propose(actor=world.chen, now=now)
    assert proposal.placements[str(first.pk)][2] == str(world.wang.pk)
    kinds = {(c["kind"], c["worker"], tuple(c["steps"])) for c in proposal.summary["conflicts"]}
    assert ("calendar", str(world.wang.pk), (str(first.pk),)) in kinds
    # The person's profile loses the step's skill meanwhile: the step stays theirs all the same.
    profile_save(
        actor=world.chen, user=world.wang, skills=["法务"], capacity_hours=8, expedite_team=1
    )
    proposal = schedule_propose(actor=world.chen, now=now)
    assert proposal.placements[str(first.pk)][2] == str(world.wang.pk)
    inputs = load_inputs(now=now)
    assert {t.skill for t in inputs.problem.tasks if t.id == str(first.pk)} == {"risk"}


def test_two_steps_already_under_way_for_one_person_are_kept_and_the_rest_planned(competing):
    world = competing
    now = timezone.now()
    # wang starts the first step of both cases: two steps of one person under way at once.
    firsts = [
        StepRun.objects.filter(case=c).order_by("position").first()
        for c in (world.loan, world.project)
    ]
    for step in firsts:
        step_start(actor=world.zhang, step=step, now=now)
    nightly = schedule_nightly(now=now, solver="cpsat", time_limit=1.0)
    made = [ScheduleProposal.objects.get(pk=nightly["proposal"])]
    for solver in ("greedy", "cpsat"):
        made.append(schedule_propose(actor=world.chen, now=now, solver=solver, time_limit=1.0))
    inputs = load_inputs(now=now)
    for proposal in made:
        placements = {t: Placement(t, s, e, w) for t, (s, e, w) in proposal.placements.items()}
        assert check(inputs.problem, Schedule(placements, Objective(0, 0, 0), "x", False, 0)) == []
        for step in firsts:
            task = next(t for t in inputs.problem.tasks if t.id == str(step.pk))
            assert placements[str(step.pk)] == Placement(
                task.id, task.pinned_start, task.pinned_start + task.hours, str(world.wang.pk)
            )
    # The plan in force shows the double booking as it is.
    assert any(
        c["kind"] == "capacity" and c["worker"] == str(world.wang.pk)
        for c in proposal.summary["conflicts"]
    )


def test_the_api_shows_replans_and_accepts_with_the_same_rules(competing, client):
    from expedite.accounts.services import api_token_create

    world = competing
    chen = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.chen, name='t')[1]}"}
    li = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.li, name='t')[1]}"}
    assert client.get("/api/v1/schedule", **li).json() == {"proposal": None}
    refused = client.post(
        "/api/v1/schedule", {"solver": "greedy"}, content_type="application/json", **li
    )
    assert refused.status_code == 403
    bad = client.post("/api/v1/schedule", {"solver": "x"}, content_type="application/json", **chen)
    assert bad.status_code == 422
    asked = client.post(
        "/api/v1/schedule", {"solver": "greedy"}, content_type="application/json", **chen
    )
    # Nothing is solved in the request: the run is queued and answered at once.
    assert asked.status_code == 202
    run = asked.json()["run"]
    assert run["status"] == "queued" and run["proposal"] is None
    assert not ScheduleProposal.objects.exists()
    again = client.post(
        "/api/v1/schedule", {"solver": "cpsat"}, content_type="application/json", **chen
    )
    assert again.status_code == 202 and again.json()["run"]["id"] == run["id"]
    schedule_run(pk=run["id"], now=timezone.now())  # the worker's step
    polled = client.get(f"/api/v1/schedule/runs/{run['id']}", **li).json()["run"]
    assert polled["status"] == "done" and polled["progress"] == 1.0 and polled["error"] is None
    assert client.get("/api/v1/schedule/runs/999999", **li).status_code == 404
    made = client.get("/api/v1/schedule", **li).json()["proposal"]
    assert made["id"] == polled["proposal"]
    assert made["current"] and made["status"] == "pending"
    steps = {s["step"] for s in made["steps"]}
    assert steps == set(
        StepRun.objects.filter(finished_at__isnull=True).values_list("pk", flat=True)
    )
    assert client.post(f"/api/v1/schedule/{made['id']}/accept", **li).status_code == 403
    done = client.post(f"/api/v1/schedule/{made['id']}/accept", **chen)
    assert done.status_code == 200 and done.json()["proposal"]["status"] == "accepted"
    again = client.post(f"/api/v1/schedule/{made['id']}/accept", **chen)
    assert again.status_code == 422


def test_accepting_hands_a_case_role_to_whoever_does_its_next_step(competing):
    world = competing
    # A second process specialist who knows the work: one case's steps can move to him.
    profile_save(
        actor=world.chen, user=world.li2, skills=["外资", "工商"], capacity_hours=8, expedite_team=1
    )
    now = timezone.now()
    proposal = schedule_propose(actor=world.chen, now=now)
    schedule_accept(actor=world.chen, proposal=proposal, now=now)
    moved = {
        s.case_id
        for s in StepRun.objects.filter(assignee=world.li2, role="process", started_at=None)
    }
    assert moved, "the proposal gives li2 some of the process work"
    event = AuditEvent.objects.get(kind=AuditKind.SCHEDULE_ACCEPTED)
    changed = {(c["case"], c["role"], c["user"]) for c in event.payload["roles_changed"]}
    assert any(user == world.li2.pk for _c, _r, user in changed)
    for case_id in moved:
        first = (
            StepRun.objects.filter(case_id=case_id, role="process", finished_at=None)
            .order_by("planned_start", "position")
            .first()
        )
        if first.assignee_id == world.li2.pk:
            a = Assignment.objects.get(case_id=case_id, role="process")
            assert a.user == world.li2 and a.status == "confirmed" and a.confirmed_by == world.chen
            assert (case_id, "process", world.li2.pk) in changed
            # The case's own history says who took the role, and why.
            team_event = AuditEvent.objects.filter(
                kind=AuditKind.TEAM_ASSIGNED, case_id=case_id
            ).last()
            assert team_event.payload["schedule"] == proposal.pk
            assert "process" in team_event.payload


@pytest.mark.parametrize("threads", [1, 2])
def test_the_search_runs_on_the_threads_the_firm_sets(competing, settings, monkeypatch, threads):
    settings.EXPEDITE_SOLVER_THREADS = threads
    asked = []
    solve = schedule_module.solve_best

    def recording(problem, **options):  # the real solver, its options noted
        asked.append(options["workers"])
        return solve(problem, **options)

    monkeypatch.setattr(schedule_module, "solve_best", recording)
    proposal = schedule_propose(
        actor=competing.chen, now=timezone.now(), solver="cpsat", time_limit=1.0
    )
    assert asked == [threads]
    assert all(proposal.weighted_tardiness <= wt for wt in proposal.summary["plans"].values())
