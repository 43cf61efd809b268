"""A case from the client's acceptance through the double review, on a phone, by four people."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from expedite import clock
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.cases.services import case_create
from expedite.cases.triage import TriageInput, case_triage
from expedite.work.models import Assignment, StepRun
from expedite.work.team import profile_save
from tests.conftest import PASSWORD
from tests.web.delivery_helpers import result_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quoted(world):
    for user, skills in ((world.li, ["许可", "工商"]), (world.wang, ["许可"])):
        profile_save(
            actor=world.chen, user=user, skills=skills, capacity_hours=8, expedite_team=True
        )
    deadline = timezone.localdate() + dt.timedelta(days=30)
    case = case_create(
        actor=world.zhang,
        client_id=world.acme.pk,
        service_code="food-business-license",
        requested_deadline=deadline,
        reason="平台通知下周下架未取得食品经营许可证的店铺。",
        now=clock.now(),
    )
    case = case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(
            deadline=deadline,
            written_notice=True,
            facts={"business_license_valid": True, "prepackaged_only": False},
        ),
        now=timezone.now(),
    )
    return case_transition(actor=world.zhang, case=case, to="quoted", now=timezone.now())


def login(page, url, username):
    # The last page's own requests (parts loading after it) finish before its cookies go: one
    # answered after the clearing would set a new CSRF cookie under the log-in form.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def move(page, label):
    page.get_by_label("改为").select_option(label=label)
    page.get_by_role("button", name="变更状态").click()
    expect(page.get_by_text("状态已更新。")).to_be_visible()


def tick_all_ok(form):
    for radio in form.locator("input[type=radio][value=ok]").all():
        radio.check()


def test_a_case_runs_from_acceptance_through_the_double_review(live_server, page, world, quoted):
    case_url = f"{live_server.url}/cases/{quoted.pk}/"

    # The liaison records the client's acceptance: tracks, steps and a proposed team appear.
    login(page, live_server.url, "zhang")
    page.goto(case_url)
    move(page, "已接受")
    team = page.locator("#work")
    expect(team.get_by_text("系统建议").first).to_be_visible()
    expect(page.locator("#progress")).to_contain_text("市场监管局")
    assert Assignment.objects.get(case=quoted, role="process").user == world.li

    # The manager confirms the team.
    login(page, live_server.url, "chen")
    page.goto(case_url)
    page.get_by_role("button", name="确认分工").click()
    expect(page.get_by_text("分工已确认。")).to_be_visible()
    expect(page.locator("#work").get_by_text("已确认").first).to_be_visible()

    # Before anything goes to the authority, a supervisor checks the papers (递交前复核).
    login(page, live_server.url, "zhao")
    page.goto(case_url)
    check = page.locator("#submission form")
    tick_all_ok(check)
    check.get_by_role("button", name="提交递交前复核").click()
    expect(page.get_by_text("递交前复核通过，可以递交。")).to_be_visible()

    # The process specialist starts the work and carries every step through, with hours.
    login(page, live_server.url, "li")
    page.goto(case_url)
    move(page, "办理中")
    for step in StepRun.objects.filter(case=quoted).order_by("position"):
        row = page.locator(f"tr[data-step='{step.code}']")
        row.get_by_role("button", name="开始").click()
        expect(page.get_by_text("步骤已开始。")).to_be_visible()
        row = page.locator(f"tr[data-step='{step.code}']")
        row.get_by_label("实际工时").fill("2.5")
        row.get_by_role("button", name="完成").click()
        expect(page.get_by_text("步骤已完成，计划已按实际重新推算。")).to_be_visible()
    assert not StepRun.objects.filter(case=quoted, finished_at__isnull=True).exists()
    expect(page.locator("#progress tr[data-step]").get_by_text("已完成")).to_have_count(3)

    # The result the client will sign for, uploaded before the review that must see it.
    page.locator("#result-file").set_input_files(
        files=[{"name": "新营业执照.pdf", "mimeType": "application/pdf", "buffer": result_pdf()}]
    )
    page.locator("#delivery").get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("结果文件已上传")).to_be_visible()

    # Review: the handler's self-check, then the four-eyes rule keeps the handler out.
    move(page, "复核中")
    self_check = page.locator("form", has=page.get_by_role("button", name="提交自查"))
    tick_all_ok(self_check)
    self_check.get_by_role("button", name="提交自查").click()
    expect(page.get_by_text("四眼原则：您是本单的经办人")).to_be_visible()
    expect(page.get_by_role("button", name="提交复核")).to_have_count(0)

    # The supervisor reviews and delivers.
    login(page, live_server.url, "zhao")
    page.goto(case_url)
    review = page.locator("form", has=page.get_by_role("button", name="提交复核"))
    tick_all_ok(review)
    review.get_by_role("button", name="提交复核").click()
    expect(page.get_by_text("主管复核通过，可以交付。")).to_be_visible()
    login(page, live_server.url, "zhang")
    page.goto(case_url)
    move(page, "已交付")
    assert Case.objects.get(pk=quoted.pk).state == "delivered"
