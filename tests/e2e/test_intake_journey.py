"""A liaison on a phone: log in, register a client, open a request in Chinese, see it listed."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from expedite import clock
from expedite.cases.models import Case
from tests.conftest import PASSWORD, make_uscc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_liaison_registers_a_client_and_opens_an_expedite_request(live_server, page, world):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="员工登录")).to_be_visible()
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="加急单")).to_be_visible()

    page.get_by_role("link", name="客户", exact=True).click()
    page.get_by_role("link", name="登记客户").click()
    page.get_by_label("公司名称").fill("杭州云启人力资源有限公司")
    page.get_by_label("统一社会信用代码").fill(make_uscc("91330106MA2H9E2E2"))
    page.get_by_label("客户价值等级").select_option(label="重点客户")
    page.get_by_role("textbox", name="联系人").fill("郑晓")
    page.get_by_label("手机号").fill("13757130003")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已登记客户 杭州云启人力资源有限公司。")).to_be_visible()

    page.get_by_role("link", name="为该客户新建加急单").click()
    page.get_by_label("服务事项").select_option(label="劳务派遣许可证")
    page.get_by_label("要求截止日期").fill("2026-12-03")
    page.get_by_label("加急原因").fill(
        "新客户合同下周签约，需要劳务派遣许可证；专员出差可远程协作。"
    )
    page.get_by_role("button", name="创建").click()

    case = Case.objects.get(client__name="杭州云启人力资源有限公司")
    expect(page.get_by_text(f"已创建加急单 {case.reference}。")).to_be_visible()
    expect(page.get_by_text("新客户合同下周签约")).to_be_visible()

    page.get_by_role("link", name="加急单", exact=True).first.click()
    row = page.locator("tr", has_text=case.reference)
    expect(row).to_contain_text("劳务派遣许可证")
    expect(row).to_contain_text("草稿")

    page.get_by_placeholder(re.compile("搜索编号")).fill("云启")
    expect(page.locator("#case-rows tbody tr")).to_have_count(1)


def test_the_client_opens_the_portal_link_on_a_phone_and_answers(live_server, page, world):
    import datetime as dt

    from expedite.cases.models import Case
    from expedite.cases.services import case_create
    from expedite.portal.links import portal_path

    case = case_create(
        actor=world.zhang,
        client_id=world.acme.pk,
        service_code="business-change",
        requested_deadline=timezone.localdate() + dt.timedelta(days=30),
        reason="内部：客户老板催得紧",
        now=clock.now(),
    )
    page.goto(live_server.url + portal_path(case))
    expect(page.get_by_role("heading", name="工商变更")).to_be_visible()
    expect(page.get_by_role("list").get_by_text("部门审批中")).to_be_visible()
    expect(page.get_by_text("客户老板催得紧")).to_have_count(0)
    # A real browser sends Origin with the POST: the form must pass the CSRF check.
    page.get_by_label("有没有书面通知").select_option(label="是")
    page.get_by_label("2. 目前办到哪一步").select_option(label="材料审核中")
    page.get_by_label("3. 今天能把完整材料交给我们吗？").select_option(label="否")
    page.get_by_label("不能的话，哪天能交齐？").fill(
        (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    )
    page.get_by_label("如果赶不上，会有什么后果？").select_option(label="逾期要付合同违约金")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已收到您的回答")).to_be_visible()
    assert Case.objects.get(pk=case.pk).intake["client"]["stage"] == "材料审核中"


def test_liaison_ticks_what_was_arranged_and_sees_the_expedited_plan(live_server, page, world):
    import datetime as dt

    from expedite.cases.services import case_create

    case = case_create(
        actor=world.zhang,
        client_id=world.acme.pk,
        service_code="labor-dispatch-license",
        requested_deadline=timezone.localdate() + dt.timedelta(days=90),
        reason="新客户签约",
        now=clock.now(),
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(live_server.url + f"/cases/{case.pk}/")
    expect(page.locator("svg.gantt")).to_be_visible()
    expect(page.locator("#plan-panel")).not_to_contain_text("最快方案")
    panel = page.locator("#plan-panel")
    panel.get_by_label("客户接受电子签章").check()
    panel.get_by_label("已与审批部门提前沟通").check()
    panel.get_by_label("负责专员可通过远程协作系统办理").check()
    expect(page.locator("#plan-panel")).to_contain_text("最快方案")
    expect(page.locator("#quote-text")).to_contain_text("方案二（加急）：3 个工作日")


def test_liaison_triages_on_the_phone_with_the_client(live_server, page, world):
    import datetime as dt

    from expedite.cases.services import case_create

    deadline = timezone.localdate() + dt.timedelta(days=40)
    case = case_create(
        actor=world.zhang,
        client_id=world.hengxin.pk,
        service_code="tax-deregistration",
        requested_deadline=deadline,
        reason="老板要季度报表",
        now=clock.now(),
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(live_server.url + f"/cases/{case.pk}/")
    form = page.locator("form.intake")
    form.get_by_label("有没有书面通知？").select_option(label="否")
    form.get_by_label("2. 目前卡在哪个环节？").select_option(label="尚未开始办理")
    form.get_by_label("3. 今天能提交完整材料吗？").select_option(label="是")
    form.get_by_label("错过截止日期的后果").select_option(label="只是想早点办好")
    form.get_by_label("所有税费均已申报").select_option(label="否")
    form.get_by_label("尚有欠缴税款或滞纳金").select_option(label="否")
    form.get_by_role("button", name="研判").click()
    expect(page.get_by_text("已完成研判。")).to_be_visible()
    expect(page.locator("#triage")).to_contain_text("须先满足前提")
    expect(page.locator("#triage-summary")).to_contain_text("8 个工作日")
