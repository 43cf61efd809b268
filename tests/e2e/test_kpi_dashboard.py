"""A manager opens the KPI dashboard, narrows it to one client and downloads the workbook."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.test_case_journey import login
from tests.web.kpi_helpers import kpi_history

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_trends_and_exports_them(world, page, live_server):
    kpi_history(world)
    login(page, live_server.url, "chen")
    page.get_by_role("link", name="经营指标").click()
    expect(page.get_by_role("heading", name="经营指标")).to_be_visible()
    page.locator("input[name=from]").fill("2026-03")
    page.locator("input[name=to]").fill("2026-04")
    page.get_by_label("客户").select_option(label="苏州恒信建设工程有限公司")
    page.get_by_role("button", name="筛选").click()
    summary = page.locator("#kpi-summary")
    # hengxin's one case: delivered a day late, with an error found after delivery.
    expect(summary).to_contain_text("零差错率0%")
    expect(page.locator("#chart-zero-error svg .target")).to_have_count(1)
    expect(page.locator("#errors-after-delivery")).to_contain_text("漏报一项")
    with page.expect_download() as download:
        page.locator("#kpi-export").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    march = list(book["月度指标"].iter_rows(values_only=True))[1]
    assert march[:2] == ("2026-03", 1)
