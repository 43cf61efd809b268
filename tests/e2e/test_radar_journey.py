"""A liaison opens the demand radar on a phone, reads why a client is on it, proposes the
licence renewal on the standard path, and records that the client agreed."""

import pytest
from playwright.sync_api import expect

from expedite.cases.models import ClientCredential
from expedite.radar import services
from expedite.radar.models import RadarOutreach, RadarSource
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_liaison_proposes_a_renewal_from_the_radar(live_server, page, world):
    ClientCredential.objects.create(
        client=world.acme,
        kind="permit",
        title="食品经营许可证",
        expires_on=firm_calendar().add_workdays(world.today, 22),
        updated_at=world.now,
    )
    services.radar_train(source=RadarSource.SYNTHETIC, now=world.now, seed=1)
    services.radar_score(now=world.now)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/login/")
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(live_server.url + "/radar/")
    card = page.locator("section.radar-row", has_text="上海鲜达电子商务有限公司")
    expect(card).to_contain_text("食品经营许可证延续")
    expect(card).to_contain_text("最晚")
    card.get_by_role("button", name="建议常规办理").click()

    expect(page.get_by_text("并已通知客户")).to_be_visible()
    outreach = RadarOutreach.objects.get()
    expect(card).to_contain_text("已联系：待回复")
    row = page.locator("tr", has_text=outreach.case.reference)
    row.get_by_label("结果").select_option("converted")
    row.get_by_label("备注").fill("客户同意，下周提交材料")
    row.get_by_role("button", name="记录结果").click()
    expect(page.get_by_text("已记录联系结果。")).to_be_visible()
    outreach.refresh_from_db()
    assert outreach.outcome == "converted" and outreach.note == "客户同意，下周提交材料"
