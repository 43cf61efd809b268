"""The client's uploads through the portal link: only after verifying, only to its own case."""

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from expedite.materials.models import MaterialSubmission, PreReview
from expedite.materials.portal import portal_context
from expedite.materials.services import prereview_record
from expedite.portal.access import VERIFIED_FOR
from expedite.portal.links import portal_token
from tests.web.materials_helpers import collecting_case, pdf_bytes, photo_bytes, verify_client

pytestmark = [pytest.mark.django_db, pytest.mark.case(build=collecting_case)]


def post_upload(client, token, item="license", content=None, name="执照.pdf", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("material_portal_upload", args=[token, item]),
        {"file": SimpleUploadedFile(name, content or pdf_bytes()), **fields},
    )


def test_an_unverified_client_is_sent_to_verify_first_and_nothing_is_kept(client, case):
    token = portal_token(case)
    response = post_upload(client, token)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_verify", args=[token]) + "#verify"
    assert not MaterialSubmission.objects.exists()
    follow = client.get(response["Location"].split("#")[0]).content.decode()
    assert "上传材料前请先验证身份" in follow and 'id="verify"' in follow


def test_every_verify_link_on_the_portal_page_reaches_the_verification_form(client, case):
    """验证身份 in the materials section pointed at a #verify the page did not have."""
    from urllib.parse import urljoin

    path = reverse("portal_case", args=[portal_token(case)])
    page = client.get(path).content.decode()
    hrefs = re.findall(r'<a href="([^"]*)">验证身份</a>', page)
    assert hrefs, "the materials section asks an unverified client to verify"
    for href in hrefs:
        target, _, anchor = urljoin(path, href).partition("#")
        html = page if target == path else client.get(target).content.decode()
        assert 'name="action" value="send"' in html, href
        if anchor:
            assert f'id="{anchor}"' in html, href


def test_an_expired_verification_is_no_verification(client, case):
    verify_client(client, case, now=timezone.now() - VERIFIED_FOR - dt.timedelta(seconds=1))
    post_upload(client, portal_token(case))
    assert not MaterialSubmission.objects.exists()


def test_a_verified_client_uploads_and_the_round_starts(client, case):
    token = portal_token(case)
    verify_client(client, case)
    response = post_upload(client, token, name="../../etc/执照<script>.pdf")
    assert response["Location"].endswith("#materials")
    s = MaterialSubmission.objects.get()
    assert (s.contact, s.uploaded_by, s.name) == ("周婷", None, "执照script.pdf")
    assert PreReview.objects.filter(case=case, round=1).exists()
    event = AuditEvent.objects.get(kind=AuditKind.MATERIAL_SUBMITTED)
    assert event.actor_kind == "client" and event.payload["contact"] == "周婷"


def test_verification_for_one_case_does_not_open_another(client, world, case):
    other = collecting_case(world, client=world.hengxin)
    verify_client(client, case)
    response = post_upload(client, portal_token(other))
    assert response["Location"].endswith("#verify")
    assert not MaterialSubmission.objects.exists()


@pytest.mark.parametrize("token", ["garbage", "1.abc.def"])
def test_bad_tokens_reach_nothing(client, case, token):
    verify_client(client, case)
    assert post_upload(client, token).status_code == 404
    assert client.post(reverse("material_portal_complete", args=[token])).status_code == 404


def test_a_refused_file_is_explained_in_chinese(client, case):
    token = portal_token(case)
    verify_client(client, case)
    post_upload(client, token, content=photo_bytes(), name="执照.pdf")
    page = client.get(reverse("portal_case", args=[token])).content.decode()
    assert "内容却是 JPG" in page
    assert not MaterialSubmission.objects.exists()


def test_the_client_says_all_is_submitted(client, case):
    token = portal_token(case)
    verify_client(client, case)
    assert client.post(reverse("material_portal_complete", args=[token])).status_code == 302
    assert not PreReview.objects.exists()  # nothing uploaded yet: refused with a message
    post_upload(client, token)
    PreReview.objects.all().delete()
    client.post(reverse("material_portal_complete", args=[token]))
    assert PreReview.objects.get().round == 1


def test_the_portal_section_shows_states_notes_and_the_notice(world, client, case):
    token = portal_token(case)
    verify_client(client, case)
    post_upload(client, token)
    prereview_record(
        actor=world.zhang,
        case=case,
        now=timezone.now(),
        verdicts={
            "license": {"verdict": "ok"},
            "resolution": {"verdict": "invalid", "reason": "缺少股东李四的签字"},
            "application": {"verdict": "ok"},
            "articles-amendment": {"verdict": "ok"},
            "id-copies": {"verdict": "missing"},
        },
    )
    request = RequestFactory().get("/")
    request.session = client.session
    html = render_to_string(
        "materials/_portal_section.html",
        {**portal_context(request, case), "token": token},
        request=request,
    )
    assert "请一次性补正以下材料" in html and "预审意见：缺少股东李四的签字" in html
    assert 'data-state="ok"' in html and 'data-state="missing"' in html
    assert reverse("material_portal_upload", args=[token, "resolution"]) in html
    assert "zhang" not in html and "张" not in html  # no staff names on the portal
    # an unverified visitor sees the states but no upload form
    request.session = {}
    html = render_to_string(
        "materials/_portal_section.html",
        {**portal_context(request, case), "token": token},
        request=request,
    )
    verify = reverse("portal_verify", args=[token]) + "#verify"
    assert f'href="{verify}"' in html and "material_portal_upload" not in html
    assert reverse("material_portal_upload", args=[token, "resolution"]) not in html
