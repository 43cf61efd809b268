"""On a phone: the client opens its link, uploads the missing item, sees it waiting for review."""

from importlib import import_module

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import expect

from expedite.materials.services import prereview_record, submission_add
from expedite.portal.access import mark_verified
from expedite.portal.links import portal_path
from tests.web.materials_helpers import collecting_case, pdf_bytes, photo_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def verified_cookie(case, live_server) -> dict:
    """The session the one-time-code flow leaves behind, stored and handed to the browser."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    request = RequestFactory().get("/")
    request.session = session
    mark_verified(request, case, now=timezone.now(), contact="周婷")
    session.save()
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": session.session_key,
        "url": live_server.url,
    }


def test_the_client_uploads_the_missing_item_from_a_phone(world, page, live_server, tmp_path):
    case = collecting_case(world)
    submission_add(
        actor=world.zhang,
        case=case,
        item="license",
        name="执照.pdf",
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
    page.goto(live_server.url + portal_path(case))
    expect(page.locator("#materials")).to_be_visible()
    item = page.locator("#material-id-copies")
    expect(item.locator("[data-state]")).to_have_attribute("data-state", "missing")
    expect(page.locator("#materials")).to_contain_text("请一次性补正以下材料")
    # Not verified: no upload form, a pointer to the verification instead.
    expect(item.locator("input[type=file]")).to_have_count(0)

    page.context.add_cookies([verified_cookie(case, live_server)])
    page.reload()
    photo = tmp_path / "身份证.jpg"
    photo.write_bytes(photo_bytes())
    item.locator("input[type=file]").set_input_files(str(photo))
    item.get_by_role("button").last.click()
    expect(page.locator("#material-id-copies [data-state]")).to_have_attribute(
        "data-state", "pending"
    )
    case.refresh_from_db()
    assert case.state == "materials"  # everything listed is in: back from on_hold
