"""Result uploads are checked by content, not by name: hostile files built here are refused
with a message naming the file, and nothing is stored."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from expedite.audit.models import AuditEvent
from expedite.cases.models import CaseDocument
from expedite.delivery.services import result_file_add
from expedite.domain.errors import ValidationFailed
from tests.conftest import PASSWORD
from tests.web.delivery_helpers import case_in_review, result_pdf

pytestmark = pytest.mark.django_db(transaction=True)

HTML = b"<!DOCTYPE html>\n<html><body><script>fetch('/p/steal?c='+document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def own_media(settings, tmp_path):
    """Files of other tests (the store is content-addressed) never answer for this one's."""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """Under 1 KB that inflates to 1 GB of zeros (bzip2 turns long runs into almost nothing)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2, compresslevel=9) as archive,
        archive.open("scan.pdf", "w", force_zip64=True) as member,
    ):
        zeros = bytes(64 * 1024 * 1024)
        for _ in range(16):
            member.write(zeros)
    data = out.getvalue()
    assert len(data) < 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("scan.pdf").file_size == 1024**3
    return data


def open_action_js_pdf() -> bytes:
    """A genuine PDF whose catalog runs JavaScript when it is opened."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(result_pdf("licence"))))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.launchURL('http://evil.example/', true);"),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _nothing_stored(case, content: bytes) -> None:
    digest = hashlib.sha256(content).hexdigest()
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(case=case, kind="delivery.result_added").exists()
    for suffix in (".pdf", ".jpg", ".jpeg", ".png", ".zip"):
        assert not default_storage.exists(f"cases/{digest[:2]}/{digest}{suffix}")


def _upload(client, case, name: str, content: bytes):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        reverse("delivery_result_upload", args=[case.pk]), {"file": upload}, follow=True
    )


def test_html_named_pdf_is_refused_through_the_page(client, world):
    case = case_in_review(world)
    assert client.login(username="li", password=PASSWORD)
    page = _upload(client, case, "营业执照.pdf", HTML).content.decode()
    assert "结果文件“营业执照.pdf”的内容是网页（HTML）或脚本" in page and "未保存" in page
    _nothing_stored(case, HTML)


@pytest.mark.parametrize("name", ["新营业执照.pdf", "结果.zip"])
def test_a_zip_bomb_is_refused_without_being_unpacked(client, world, zip_bomb, name):
    case = case_in_review(world)
    assert client.login(username="li", password=PASSWORD)
    page = _upload(client, case, name, zip_bomb).content.decode()
    if name.endswith(".pdf"):
        assert f"结果文件“{name}”是 ZIP 压缩包" in page and "不接受压缩包" in page
    else:
        assert "只接受 PDF、JPG、PNG" in page  # the name alone already gives it away
    _nothing_stored(case, zip_bomb)


def test_a_pdf_that_runs_javascript_on_opening_is_refused(client, world):
    case = case_in_review(world)
    hostile = open_action_js_pdf()
    assert client.login(username="li", password=PASSWORD)
    page = _upload(client, case, "受理通知书.pdf", hostile).content.decode()
    assert "结果文件“受理通知书.pdf”含有会自动运行或释放的内容" in page
    assert "/JavaScript" in page and "/OpenAction" in page
    _nothing_stored(case, hostile)
    # The service refuses it the same way for any caller (API, command, job).
    with pytest.raises(ValidationFailed, match="/OpenAction"):
        result_file_add(
            actor=world.li, case=case, name="受理通知书.pdf", content=hostile, now=timezone.now()
        )
    _nothing_stored(case, hostile)


def test_a_plain_pdf_and_a_photo_are_still_accepted(world):
    from PIL import Image

    case = case_in_review(world)
    result_file_add(
        actor=world.li, case=case, name="执照.pdf", content=result_pdf(), now=timezone.now()
    )
    photo = io.BytesIO()
    Image.new("RGB", (1200, 900), "white").save(photo, format="JPEG")
    result_file_add(
        actor=world.li, case=case, name="执照.jpg", content=photo.getvalue(), now=timezone.now()
    )
    assert CaseDocument.objects.filter(case=case, kind="result").count() == 2
