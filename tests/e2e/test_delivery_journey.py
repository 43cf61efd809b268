"""On a phone: the client opens its link, reviews the result, gets a code by e-mail, signs the
confirmation and downloads the signed 结果确认单."""

import pytest
from playwright.sync_api import expect

from expedite.cases.models import Case
from expedite.delivery.models import Confirmation
from expedite.delivery.signing import trust_roots, verify_signed_pdf
from expedite.portal.links import portal_path
from tests.web import custody_helpers
from tests.web.delivery_helpers import delivered_case, mailed_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
smtp = custody_helpers.smtp  # fixture


def test_the_client_confirms_the_result_and_downloads_the_signed_form(
    world, page, live_server, smtp, tmp_path
):
    case = delivered_case(world)
    result = case.documents.get(kind="result")
    page.goto(live_server.url + portal_path(case))
    section = page.locator("#delivery")
    expect(section).to_contain_text(result.name)
    expect(section).to_contain_text(result.sha256)
    page.locator("#confirm-link").click()
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    # A wrong code first: a clear message, nothing confirmed.
    page.get_by_label("满意", exact=True).check()
    page.locator("#code").fill("000000" if mailed_code(smtp) != "000000" else "111111")
    page.get_by_role("button", name="确认并签署").click()
    expect(page.locator("#confirm-error")).to_contain_text("验证码不正确")
    assert Case.objects.get(pk=case.pk).state == "delivered"
    page.get_by_label("满意", exact=True).check()
    page.locator("#code").fill(mailed_code(smtp))
    page.get_by_role("button", name="确认并签署").click()
    expect(page.get_by_role("status")).to_contain_text("已确认")
    with page.expect_download() as info:
        page.locator("#confirmation-download").click()
    path = tmp_path / "signed.pdf"
    info.value.save_as(path)
    signed = path.read_bytes()
    assert signed == Confirmation.objects.get(case=case).document.file.open("rb").read()
    firm_der, roots = trust_roots()
    verdict = verify_signed_pdf(signed, firm_der=firm_der, roots=roots)
    assert verdict.ok, verdict.problems
    assert Case.objects.get(pk=case.pk).state == "confirmed"
