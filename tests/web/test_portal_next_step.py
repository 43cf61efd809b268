"""“您现在需要做的” on the client's portal page, read from the case's own state: materials to
send or correct, handovers and the result to confirm, with whom to call; and nothing offered
once the result is handed over."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from expedite.accounts.models import StaffContact
from expedite.cases.lifecycle import case_transition
from expedite.custody import services as custody
from expedite.materials.models import MaterialSubmission
from expedite.materials.services import prereview_record, submission_add
from expedite.portal.links import portal_path, portal_token
from tests.web.custody_helpers import due
from tests.web.delivery_helpers import client_confirms, delivered_case
from tests.web.materials_helpers import collecting_case, pdf_bytes, verify_client

pytestmark = [pytest.mark.django_db, pytest.mark.case(build=collecting_case)]

NOTHING = "目前无需您操作"


def todo(html: str) -> str:
    """The “您现在需要做的” card alone."""
    return re.search(r'<section class="card" id="todo">(.*?)</section>', html, re.S).group(1)


def page(client, case) -> str:
    return client.get(portal_path(case)).content.decode()


def upload(case, item: str, *, text: str = "材料") -> None:
    submission_add(
        case=case,
        item=item,
        name=f"{item}.pdf",
        content=pdf_bytes(text),
        now=timezone.now(),
        contact="周婷",
    )


# The business change's materials (services.yaml).
ITEMS = ("license", "resolution", "application", "articles-amendment", "id-copies")


def review(world, case, **verdicts) -> None:
    prereview_record(
        actor=world.zhang,
        case=case,
        now=timezone.now(),
        verdicts={code: {"verdict": "ok"} for code in ITEMS} | verdicts,
    )


@pytest.fixture
def liaison_phone(world):
    StaffContact.objects.create(user=world.zhang, phone="021-6288 0101")
    return "021-6288 0101"


def test_collecting_materials_asks_for_every_item_not_sent_with_whom_to_call(
    client, case, liaison_phone
):
    card = todo(page(client, case))
    assert "请上传 5 份材料" in card and 'href="#materials"' in card
    assert NOTHING not in card
    assert "张敏" in card and liaison_phone in card  # whom to call, on the card itself
    # Uploading needs 验证身份, so an unverified visitor is asked for it too.
    assert 'id="verify"><a href="verify/"' in card


def test_a_verified_client_is_not_asked_to_verify_again(client, case):
    verify_client(client, case)
    card = todo(page(client, case))
    assert "请上传 5 份材料" in card and 'href="verify/"' not in card


def test_the_count_follows_what_was_sent(client, case):
    upload(case, "license")
    card = todo(page(client, case))
    assert "请上传 4 份材料" in card


@pytest.mark.clock("2026-11-26T10:00:00+08:00")  # the deadline below is counted from it
def test_on_hold_for_a_correction_asks_for_it_with_its_deadline(client, world, case):
    for item in ITEMS:
        upload(case, item, text=item)
    review(world, case, resolution={"verdict": "invalid", "reason": "缺少股东李四的签字"})
    case.refresh_from_db()
    assert case.state == "on_hold"
    html = page(client, case)
    card = todo(html)
    # Recorded Thursday 10:00; one working day (7.5 hours) later is Friday 10:00.
    assert "请补正 1 项（截止 11-27 10:00）" in card and 'href="#materials"' in card
    assert NOTHING not in card and "请上传" not in card
    assert "请一次性补正以下材料" in html and "（请于 11-27 10:00 前补正）" in html


def test_a_resubmitted_correction_closes_the_notice(client, world, case):
    for item in ITEMS:
        upload(case, item, text=item)
    review(
        world,
        case,
        resolution={"verdict": "invalid", "reason": "缺少股东李四的签字"},
        **{"id-copies": {"verdict": "missing"}},
    )
    upload(case, "resolution", text="signed")
    html = page(client, case)
    assert "请补正 1 项" in todo(html)  # one of the two is still to come
    assert "请一次性补正以下材料" in html
    upload(case, "id-copies", text="id")
    html = page(client, case)
    assert "请补正" not in todo(html)
    assert "请一次性补正以下材料" not in html and "缺少股东李四的签字" not in html


def test_a_handover_to_confirm_is_asked_with_its_place_on_the_page(client, world):
    case = collecting_case(world, client=world.hengxin)  # its contact receives the code by mail
    for item in ITEMS:
        upload(case, item, text=item)
    review(world, case)
    custody.check_in(
        actor=world.zhang,
        client=case.client,
        case=case,
        kind="company_seal",
        purpose="盖章",
        expected_return=due(),
        now=timezone.now(),
    )
    card = todo(page(client, case))
    assert "请确认交接（1 项）" in card and 'href="#custody"' in card
    # The handover is confirmed with its own e-mailed code, not after 验证身份.
    assert 'href="verify/"' not in card


def test_nothing_to_do_says_so(client, world, case):
    for item in ITEMS:
        upload(case, item, text=item)
    review(world, case)
    case_transition(actor=world.zhang, case=case, to="in_progress", now=timezone.now())
    card = todo(page(client, case))
    assert NOTHING in card and "<li" not in card


@pytest.mark.case(build=delivered_case)
def test_a_delivered_result_asks_the_client_to_confirm_it(client, case):
    card = todo(page(client, case))
    assert "请确认结果" in card and 'href="#delivery"' in card and NOTHING not in card
    assert 'id="delivery"' in page(client, case)


@pytest.mark.case(build=delivered_case)
def test_after_delivery_no_material_action_is_offered(client, world, case):
    verify_client(client, case)
    html = page(client, case)
    assert "请上传" not in todo(html)
    assert "重新上传" not in html and "材料已提交齐，请开始预审" not in html
    assert reverse("material_portal_upload", args=[portal_token(case), "license"]) not in html
    # Nor is one taken when posted anyway.
    response = client.post(
        reverse("material_portal_upload", args=[portal_token(case), "license"]),
        {"file": SimpleUploadedFile("执照.pdf", pdf_bytes())},
        follow=True,
    )
    assert "办理结果已交付，不能再上传材料" in response.content.decode()
    assert not MaterialSubmission.objects.filter(case=case).exists()


@pytest.mark.case(build=delivered_case)
def test_a_closed_case_asks_nothing_not_even_to_verify(client, world, case):
    client_confirms(case)
    case_transition(actor=world.zhang, case=case, to="closed", now=timezone.now())
    html = page(client, case)
    card = todo(html)
    assert NOTHING in card and "验证身份" not in card and "请确认结果" not in card
    assert "上传材料前请先" not in html  # nor does the checklist ask for it
    # What is left is the optional survey, which asks for it only to take an answer.
    assert html.count("验证身份") == html.count("评价前请先验证身份") + 1


def test_the_demo_shows_a_client_a_real_next_step_and_whom_to_call(client, catalog):
    from expedite.cases.models import Case
    from expedite.kpi.demo import HISTORY_CASES
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())
    cards = [todo(page(client, c)) for c in Case.objects.exclude(HISTORY_CASES)]
    # The 工商变更 case held for its 一次性告知 asks for the corrections by their deadline:
    # the resolution, the missing articles amendment and the expiring ID card.
    asked = [card for card in cards if "请补正 3 项（截止" in card]
    assert asked and "张敏" in asked[0] and "021-6288 0101" in asked[0]
    assert any(NOTHING in card for card in cards)  # and a case waiting on nobody says so
