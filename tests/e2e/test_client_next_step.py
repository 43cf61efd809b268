"""On a phone, through the whole case: the client's page always says what the client must do
next, and whom to call — upload, correct, confirm the result, then nothing."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from expedite.accounts.models import StaffContact
from expedite.cases.lifecycle import case_transition
from expedite.materials.services import prereview_record, submission_add
from expedite.portal.links import portal_path
from tests.e2e.test_materials_journey import verified_cookie
from tests.factories import moved
from tests.web.delivery_helpers import add_result, client_confirms, pass_review
from tests.web.materials_helpers import collecting_case, pdf_bytes, photo_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def next_step(page):
    return page.locator("#todo")


def test_the_client_is_told_its_next_step_from_materials_to_confirmation(
    world, page, live_server, tmp_path
):
    StaffContact.objects.create(user=world.zhang, phone="021-6288 0101")
    case = collecting_case(world)
    url = live_server.url + portal_path(case)

    # Collecting materials: every item still to send, and the liaison to call.
    page.goto(url)
    expect(next_step(page)).to_contain_text("请上传 5 份材料")
    expect(next_step(page)).to_contain_text("张敏")
    expect(next_step(page).locator("a[href^='tel:']")).to_have_text("021-6288 0101")

    # Two items in, one missing at the pre-review: a correction with its deadline.
    submission_add(
        actor=world.zhang,
        case=case,
        item="license",
        name="执照.pdf",
        content=pdf_bytes(),
        now=timezone.now(),
    )
    submission_add(
        actor=world.zhang,
        case=case,
        item="resolution",
        name="决议.pdf",
        content=pdf_bytes(),
        now=timezone.now(),
    )
    prereview_record(
        actor=world.zhang,
        case=case,
        now=timezone.now(),
        verdicts={
            "license": {"verdict": "ok"},
            "resolution": {"verdict": "ok"},
            "application": {"verdict": "ok"},
            "articles-amendment": {"verdict": "ok"},
            "id-copies": {"verdict": "missing"},
        },
    )
    page.reload()
    expect(next_step(page)).to_contain_text("请补正 1 项")
    expect(next_step(page)).to_contain_text("截止")

    # The client sends it from the phone: nothing left for it to do while the firm works.
    page.context.add_cookies([verified_cookie(case, live_server)])
    page.reload()
    photo = tmp_path / "身份证.jpg"
    photo.write_bytes(photo_bytes())
    item = page.locator("#material-id-copies")
    item.locator("input[type=file]").set_input_files(str(photo))
    item.get_by_role("button").last.click()
    expect(page.locator("#material-id-copies [data-state]")).to_have_attribute(
        "data-state", "pending"
    )
    expect(next_step(page)).not_to_contain_text("请补正")

    # Delivered with a reviewed result: the client is asked to confirm it.
    case.refresh_from_db()
    case = moved(world, case, "in_progress", "review")
    add_result(world, case, by=world.li)
    pass_review(world, case)
    case = case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())
    page.reload()
    expect(next_step(page)).to_contain_text("请确认结果")
    expect(page.locator("input[type=file]")).to_have_count(0)  # no uploads after delivery

    # Confirmed: nothing more to do.
    client_confirms(case)
    page.reload()
    expect(next_step(page)).to_contain_text("目前无需您操作")
