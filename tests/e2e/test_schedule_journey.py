"""The manager's workload page on the demo data: the Gantt, the conflicts, accepting."""

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from expedite.work.models import ScheduleProposal, StepRun

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_manager_reviews_the_nights_schedule_and_accepts_it(live_server, page, catalog):
    from expedite.ops.demo import DEMO_PASSWORD, demo_load

    demo_load(now=timezone.now())
    proposal = ScheduleProposal.objects.get(status="pending")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("chenjing")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(live_server.url + "/board/")
    page.get_by_role("link", name="排期与负荷").click()
    expect(page.locator("svg.schedule-gantt")).to_be_visible()
    expect(page.locator("svg.schedule-gantt .bar").first).to_be_visible()
    expect(page.locator("svg.schedule-gantt")).to_contain_text("李强")
    expect(page.locator("#conflicts li").first).to_contain_text("同时被排了")
    expect(page.locator("#gives tbody tr").first).to_contain_text("小时")
    expect(page.locator(".legend a").first).to_contain_text("JJ-")
    page.screenshot(path="test-artifacts/schedule-page-desktop.png", full_page=True)

    page.get_by_role("button", name="采纳此排期").click()
    expect(page.get_by_text("已采纳排期")).to_be_visible()
    expect(page.locator("#proposal .badge.ok")).to_have_text("已采纳")
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_by.username == "chenjing"
    assert AuditEvent.objects.filter(kind=AuditKind.SCHEDULE_ACCEPTED).count() == 1
    step = StepRun.objects.filter(assignee__isnull=False, finished_at__isnull=True).first()
    assert step is not None
    # The case page names who the accepted schedule put on each open step.
    page.goto(f"{live_server.url}/cases/{step.case_id}/")
    expect(page.locator(f'tr[data-step="{step.code}"]')).to_contain_text(
        "排期：" + step.assignee.last_name + step.assignee.first_name
    )
    page.goto(live_server.url + "/board/schedule/")

    # A re-plan on demand goes to the queue; once a worker has made it, the page shows it.
    HUEY.flush()
    page.get_by_role("button", name="立即重新排期（快速）").click()
    expect(page.get_by_text("已开始重新排期")).to_be_visible()
    expect(page.locator("#replan-run")).to_contain_text("重新排期已排队")
    expect(page.get_by_role("button", name="采纳此排期")).not_to_be_visible()
    HUEY.execute(HUEY.dequeue())  # the worker
    expect(page.get_by_role("button", name="采纳此排期")).to_be_visible(timeout=10_000)
    expect(page.locator("#replan-run")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="test-artifacts/schedule-page-phone.png", full_page=True)
