"""Running a case: the team, tracks and steps, projection from actuals, the board."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.domain.phrases import render
from expedite.domain.roles import Role
from expedite.work.models import Assignment, StepRun, Track
from expedite.work.selectors import case_projection, stale_tracks, waits
from expedite.work.steps import step_finish, step_start, track_update
from expedite.work.team import absence_add, profile_save, team_assign, team_propose
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD
from tests.factories import case_along, moved

pytestmark = pytest.mark.django_db


def open_case(world, *, service="foreign-equity-change", days=40, reason="签约", facts=None):
    """A triaged case (the other web tests share it)."""
    facts = facts if facts is not None else {"negative_list_prohibited": False}
    return case_along(world, service=service, days=days, reason=reason, facts=facts)


def accept(world, case):
    return moved(world, case, "quoted", "accepted")


@pytest.fixture
def skilled(world, make_user):
    """li knows 外资, 工商 and 税务; li2 is a process specialist without those skills."""
    world.li2 = make_user("li2", Role.PROCESS, first_name="强", last_name="李")
    profile_save(
        actor=world.chen,
        user=world.li,
        skills=["外资", "工商", "税务"],
        capacity_hours=8,
        expedite_team=True,
    )
    profile_save(
        actor=world.chen, user=world.li2, skills=["社保"], capacity_hours=8, expedite_team=False
    )
    profile_save(
        actor=world.chen,
        user=world.wang,
        skills=["外资", "工商", "法务", "税务"],
        capacity_hours=8,
        expedite_team=True,
    )
    return world


def test_accepting_lays_out_one_track_per_department_and_proposes_the_team(skilled):
    world = skilled
    case = accept(world, open_case(world))
    tracks = list(Track.objects.filter(case=case).values_list("name", flat=True))
    assert {"税务局", "市场监管局", "银行"} <= set(tracks)
    steps = StepRun.objects.filter(case=case)
    assert steps.count() >= 4 and all(s.duration_us > 0 for s in steps)
    team = {a.role: a for a in Assignment.objects.filter(case=case)}
    assert set(team) == {"liaison", "process", "risk"}
    assert team["process"].user == world.li  # has the skills; li2 does not
    reason = render(team["process"].reason)  # stored as a phrase, said in Chinese here
    assert "技能匹配" in reason and "加急服务小组成员" in reason
    assert team["risk"].user == world.wang
    assert team["liaison"].user == world.zhang
    assert all(a.status == "proposed" for a in team.values())
    kinds = list(AuditEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert "case.plan_laid_out" in kinds and "case.team_proposed" in kinds


def test_an_absent_specialist_is_not_proposed(skilled):
    world = skilled
    today = timezone.localdate()
    absence_add(
        actor=world.li,
        user=world.li,
        start=today,
        end=today + dt.timedelta(days=60),
        reason="外地出差",
    )
    case = accept(world, open_case(world))
    proposal = Assignment.objects.get(case=case, role="process")
    assert proposal.user == world.li2
    assert "缺少技能" in render(proposal.reason)


def test_only_managers_confirm_and_the_reviewer_is_never_the_process_specialist(skilled, make_user):
    world = skilled
    both = make_user("both", Role.PROCESS)
    both.groups.add(*make_user("x", Role.RISK).groups.all())
    case = accept(world, open_case(world))
    with pytest.raises(NotAllowed):
        team_assign(actor=world.zhang, case=case, choices={"process": world.li.pk})
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as info:
        team_assign(actor=world.chen, case=case, choices={"process": both.pk, "risk": both.pk})
    assert "四眼" in info.value.template
    with pytest.raises(ValidationFailed):
        team_assign(actor=world.chen, case=case, choices={"risk": world.li.pk})  # not a reviewer
    assert AuditEvent.objects.count() == before
    assert Assignment.objects.get(case=case, role="process").status == "proposed"
    team_assign(
        actor=world.chen,
        case=case,
        choices={"liaison": world.zhang.pk, "process": world.li2.pk, "risk": world.wang.pk},
    )
    assert Assignment.objects.get(case=case, role="process").user == world.li2
    assert set(Assignment.objects.filter(case=case).values_list("status", flat=True)) == {
        "confirmed"
    }
    event = AuditEvent.objects.filter(case=case, kind="case.team_assigned").get()
    assert event.payload["process"]["proposed"] == "li"


def test_steps_follow_their_order_and_a_slip_moves_the_successors(skilled):
    world = skilled
    case = accept(world, open_case(world))
    steps = {s.code: s for s in StepRun.objects.filter(case=case)}
    with pytest.raises(ValidationFailed) as info:
        step_start(actor=world.li, step=steps["tax"], now=timezone.now())
    assert "前置步骤尚未完成" in info.value.template
    assert "材料准备与政策核查" in info.value.params["steps"]
    first = steps["prepare"]
    t0 = first.planned_start
    step_start(actor=world.li, step=first, now=t0)
    on_time = case_projection(case, now=t0)
    # Finished two working days late: everything after it moves by the same working time.
    cal = firm_calendar()
    late = cal.at_work_clock(cal.work_clock(first.planned_finish) + 2 * cal.hours.day_us)
    step_finish(actor=world.li, step=first, now=late, actual_hours="6.5", note="补充政策核查")
    slipped = case_projection(case, now=late)
    assert cal.work_clock(slipped.finish) - cal.work_clock(on_time.finish) == 2 * cal.hours.day_us
    commerce = next(v for v in slipped.steps if v.run.code == "tax")
    assert commerce.start >= late
    assert StepRun.objects.get(pk=first.pk).actual_hours == pytest.approx(6.5)
    with pytest.raises(ValidationFailed):
        step_finish(actor=world.li, step=first, now=late)
    with pytest.raises(ValidationFailed):
        step_finish(actor=world.li, step=steps["tax"], now=late, actual_hours="abc")


def test_the_risk_reviewer_does_not_update_progress(skilled):
    world = skilled
    case = accept(world, open_case(world))
    step = StepRun.objects.filter(case=case).first()
    with pytest.raises(NotAllowed):
        step_start(actor=world.wang, step=step, now=timezone.now())
    assert StepRun.objects.get(pk=step.pk).started_at is None


def test_a_track_not_synced_by_ten_is_stale(skilled):
    world = skilled
    case = accept(world, open_case(world))
    track = Track.objects.filter(case=case).first()
    monday_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
    track_update(actor=world.li, track=track, status="active", note="已提交", now=monday_9)
    assert track not in stale_tracks(now=dt.datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI))
    # Tuesday 10:00 passed without an update since Monday 10:00.
    assert track in stale_tracks(now=dt.datetime(2026, 11, 24, 10, 30, tzinfo=SHANGHAI))
    track_update(
        actor=world.li,
        track=track,
        status="active",
        note="税务局已受理",
        now=dt.datetime(2026, 11, 24, 10, 40, tzinfo=SHANGHAI),
    )
    assert track not in stale_tracks(now=dt.datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI))
    with pytest.raises(ValidationFailed):
        track_update(actor=world.li, track=track, status="active", note="  ", now=monday_9)


def test_the_queue_decides_who_waits_when_one_specialist_is_overbooked(skilled):
    world = skilled
    profile_save(
        actor=world.chen,
        user=world.li,
        skills=["外资", "工商", "税务"],
        capacity_hours=4,
        expedite_team=True,
    )
    loan = accept(world, open_case(world, reason="银行贷款需要营业执照", days=40))
    project = accept(world, open_case(world, reason="项目验收需要税务证明", days=20))
    for c in (loan, project):
        team_assign(actor=world.chen, case=c, choices={"process": world.li.pk})
    loan.refresh_from_db()
    project.refresh_from_db()
    assert project.priority > loan.priority
    found = waits(now=timezone.now())
    # Queue order decides: the loan waits behind the project, the project behind nobody.
    # (Depending on the hour the plans are laid out, the project's own steps can fall on one
    # day beyond li's 4 hours: that is a wait behind no other case, not a queue decision.)
    behind_others = {w.case_id for w in found if w.person_id == world.li.pk and w.behind}
    assert loan.pk in behind_others and project.pk not in behind_others
    behind = next(w for w in found if w.case_id == loan.pk and w.person_id == world.li.pk)
    assert project.pk in behind.behind and behind.workdays > 0
    assert all(loan.pk not in w.behind for w in found if w.case_id == project.pk)


def test_board_and_case_page_show_the_work(client, skilled):
    world = skilled
    case = accept(world, open_case(world))
    client.login(username="chen", password=PASSWORD)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "人员分工" in page and "办理进度" in page and "税务局" in page and "<svg" in page
    board = client.get(reverse("board")).content.decode()
    for section in ("我的加急单", "今日到期", "有风险", "未按时同步的通道", "负荷", "谁在等待"):
        assert section in board
    assert case.reference in board
    response = client.post(
        reverse("case_team_assign", args=[case.pk]),
        {"liaison": world.zhang.pk, "process": world.li.pk, "risk": world.li.pk},
        follow=True,
    )
    assert "不是风险审核专员" in response.content.decode()
    assert Assignment.objects.get(case=case, role="risk").user == world.wang


def test_outsider_sees_no_board(client, world):
    client.login(username="outsider", password=PASSWORD)
    assert client.get(reverse("board")).status_code == 403


def test_absences_are_one_own_business_unless_a_manager(world):
    today = timezone.localdate()
    with pytest.raises(NotAllowed):
        absence_add(actor=world.li, user=world.wang, start=today, end=today, reason="年假")
    with pytest.raises(ValidationFailed):
        absence_add(
            actor=world.li,
            user=world.li,
            start=today,
            end=today - dt.timedelta(days=1),
            reason="年假",
        )
    absence_add(actor=world.chen, user=world.wang, start=today, end=today, reason="培训")
    with pytest.raises(ValidationFailed):
        profile_save(
            actor=world.chen, user=world.li, skills=["跳舞"], capacity_hours=8, expedite_team=False
        )


def test_api_team_and_progress(client, skilled):
    world = skilled
    case = accept(world, open_case(world))
    token = api_token_create(user=world.chen, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    team = client.get(f"/api/v1/cases/{case.pk}/team", **auth).json()
    assert {t["role"] for t in team} == {"liaison", "process", "risk"}
    bad = client.post(
        f"/api/v1/cases/{case.pk}/team",
        {"process": world.li.pk, "risk": world.li.pk},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    progress = client.get(f"/api/v1/cases/{case.pk}/progress", **auth).json()
    first = progress["steps"][0]
    started = client.post(f"/api/v1/steps/{first['id']}/start", **auth)
    assert started.status_code == 200
    assert started.json()["steps"][0]["state"] == "running"
    wang_token = api_token_create(user=world.wang, name="t")[1]
    refused = client.post(
        f"/api/v1/steps/{first['id']}/finish",
        {"actual_hours": 2},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {wang_token}",
    )
    assert refused.status_code == 403


def test_the_demo_board_shows_overdue_seals_approvals_waits_and_workload(client, catalog):
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())
    client.login(username="chenjing", password="expedite-demo")
    page = client.get(reverse("board")).content.decode()
    overdue = page[page.index('id="custody-overdue"') : page.index('id="my-approvals"')]
    assert "税务UKey" in overdue and "逾期" in overdue
    approvals = page[page.index('id="my-approvals"') : page.index('id="workload"')]
    assert "接受无法按期完成的加急单" in approvals
    # The firm's load and who waits for whom are drawn after the page, on their own request.
    assert 'hx-get="/board/load/"' in page
    load = client.get(reverse("board_load"), HTTP_HX_REQUEST="true").content.decode()
    waits_section = load[load.index('id="waits"') :]
    assert "李强" in waits_section and "个工作日" in waits_section
    assert load.count("<rect") > 20  # the workload picture
    # Without script, the link opens the same as a page.
    alone = client.get(reverse("board_load")).content.decode()
    assert "<html" in alone and 'id="waits"' in alone and "李强" in alone


def test_the_index_tells_how_the_case_was_run(catalog):
    """Team, steps planned against actual, approvals, both reviews with the caught error."""
    from django.contrib.auth.models import User
    from reportlab.lib.units import mm

    from expedite.cases.models import Case
    from expedite.kpi.demo import HISTORY_CASES
    from expedite.ops.demo import demo_load
    from expedite.records.evidence import case_evidence
    from expedite.records.sections import running_sections

    demo_load(now=timezone.now())
    case = Case.objects.exclude(HISTORY_CASES).get(service__code="vat-credit-refund")
    story = running_sections(
        case, table=lambda rows, widths: rows, para=str, head=lambda t: f"## {t}", mm=mm
    )
    headings = [s for s in story if isinstance(s, str) and s.startswith("## ")]
    assert headings == [
        "## 人员分工",
        "## 办理步骤（计划与实际）",
        "## 审批",
        "## 双重复核",
        "## 日报（已发送）",
        "## 异常",
        "## 证照印章交接",
        "## 结果确认单（客户签收）",
    ]
    tables = [s for s in story if isinstance(s, list)]
    approvals = next(t for t in tables if t[0][0] == "事项")
    assert approvals[1][0] == "加急退税" and approvals[1][4] == "已批准"
    reviews = next(t for t in tables if t[0][0] == "轮次")
    assert any("即征即退" in row[5] for row in reviews[1:])
    permit = Case.objects.exclude(HISTORY_CASES).get(service__code="construction-permit")
    story = running_sections(
        permit, table=lambda rows, widths: rows, para=str, head=lambda t: f"## {t}", mm=mm
    )
    incidents = next(s for s in story if isinstance(s, list) and s[0][0] == "发生")
    assert any("施工图审查合格书信息有误" in row[2] for row in incidents[1:])
    _name, data = case_evidence(actor=User.objects.get(username="zhaolei"), case=case)
    assert data[:2] == b"PK"


def test_only_the_cases_people_or_a_stand_in_update_progress(skilled, make_user):
    world = skilled
    case = accept(world, open_case(world))
    other_liaison = make_user("other", Role.LIAISON)
    step = StepRun.objects.filter(case=case).order_by("position").first()
    with pytest.raises(NotAllowed, match="只有本单的"):
        step_start(actor=other_liaison, step=step, now=timezone.now())
    with pytest.raises(NotAllowed):
        team_propose(actor=world.zhang, case=case, now=timezone.now())
    step_start(actor=world.zhao, step=step, now=timezone.now())  # a supervisor stands in
    assert StepRun.objects.get(pk=step.pk).started_at is not None


def test_starting_work_on_a_track_owes_the_sync_from_then_and_done_needs_its_steps(skilled):
    world = skilled
    case = accept(world, open_case(world))
    step = StepRun.objects.filter(case=case).order_by("position").first()
    later = dt.datetime(2026, 12, 3, 11, 0, tzinfo=SHANGHAI)
    step_start(actor=world.li, step=step, now=later)
    track = Track.objects.get(pk=step.track_id)
    assert track.status == "active" and track.updated_at == later
    assert track not in stale_tracks(now=later + dt.timedelta(hours=2))
    with pytest.raises(ValidationFailed, match="未完成的步骤"):
        track_update(actor=world.li, track=track, status="done", note="完成", now=later)


def test_no_team_changes_on_a_case_that_is_not_running(world):
    case = open_case(world)
    with pytest.raises(ValidationFailed, match="只有接受后、交付前"):
        team_assign(actor=world.chen, case=case, choices={"process": world.li.pk})
    assert not Assignment.objects.filter(case=case).exists()


def test_the_board_reads_in_a_bounded_number_of_queries(client, skilled):
    """More running cases must not mean more queries (no query per case or per person)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = skilled
    accept(world, open_case(world))
    client.login(username="chen", password=PASSWORD)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("board"))
    for days in (30, 35, 45):
        accept(world, open_case(world, days=days))
    with CaptureQueriesContext(connection) as four:
        assert client.get(reverse("board")).status_code == 200
    assert len(four.captured_queries) <= len(one.captured_queries) + 2


def test_the_client_hears_of_each_new_milestone_once(skilled):
    from expedite.notify.models import OutboxMessage

    world = skilled
    world.acme.contacts.update(email="zhouting@xianda.example")
    case = accept(world, open_case(world))
    steps = list(StepRun.objects.filter(case=case).order_by("position"))
    now = timezone.now()
    for step in steps:
        step_start(actor=world.li, step=step, now=now)
        step_finish(actor=world.li, step=step, now=now)
    sent = OutboxMessage.objects.filter(case=case, key__startswith="milestone:")
    milestones = [s.milestone for s in steps]
    # One message per milestone reached after the first (the client already saw the first).
    expected = {m for i, m in enumerate(milestones[1:], 1) if m and m != milestones[i - 1]}
    assert {m.subject.split("“")[1].rstrip("”") for m in sent} == expected
    assert sent.count() == len(expected)
    assert all(m.recipient == "zhouting@xianda.example" for m in sent)
