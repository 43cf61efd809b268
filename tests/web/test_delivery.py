"""结果交付: result files, the client's confirmation with a one-time code, the signed PDF."""

import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case, CaseDocument
from expedite.delivery.models import Confirmation
from expedite.delivery.signing import trust_roots, verify_signed_pdf
from expedite.domain.errors import ValidationFailed
from expedite.portal import links
from expedite.portal.models import VerificationCode
from tests.conftest import PASSWORD
from tests.factories import new_case
from tests.web import custody_helpers
from tests.web.delivery_helpers import (
    case_in_review,
    confirm_through_portal,
    confirm_url,
    delivered_case,
    mailed_code,
    pass_review,
    result_pdf,
)

pytestmark = pytest.mark.django_db(transaction=True)
smtp = custody_helpers.smtp  # fixture


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _written(case):
    return (
        Case.objects.get(pk=case.pk).state,
        Confirmation.objects.filter(case=case).count(),
        CaseDocument.objects.filter(case=case).count(),
        AuditEvent.objects.filter(case=case, kind="delivery.confirmed").count(),
    )


def test_staff_attach_a_result_file_the_client_sees_with_its_sha256_once_reviewed(client, world):
    case = case_in_review(world)
    content = result_pdf()
    _login(client, world.li)
    upload = io.BytesIO(content)
    upload.name = "新营业执照.pdf"
    r = client.post(reverse("delivery_result_upload", args=[case.pk]), {"file": upload})
    assert r.status_code == 302
    doc = CaseDocument.objects.get(case=case, kind="result")
    assert doc.sha256 == hashlib.sha256(content).hexdigest() and not doc.client_visible
    event = AuditEvent.objects.get(case=case, kind="delivery.result_added")
    assert event.payload["sha256"] == doc.sha256 and "client_visible" not in event.payload
    staff_page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="delivery"' in staff_page and doc.name in staff_page and "待他人复核" in staff_page
    assert doc.sha256 not in client.get(links.portal_path(case)).content.decode()
    # Uploaded by li: zhang self-checks, zhao passes the review, and the client sees it.
    from expedite.reviews.selectors import review_checklist
    from expedite.reviews.services import self_check, supervisor_review

    ok = [{"item": i, "ok": True} for i in review_checklist(case)]
    self_check(actor=world.zhang, case=case, results=ok, now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=ok, now=timezone.now())
    doc.refresh_from_db()
    assert doc.client_visible
    event = AuditEvent.objects.get(case=case, kind="review.reviewed")
    assert event.payload["shared"] == [doc.pk]
    assert event.payload["files"] == [{"document": doc.pk, "sha256": doc.sha256}]
    page = client.get(links.portal_path(case)).content.decode()
    assert doc.sha256 in page


@pytest.mark.parametrize("who", ["wang", "root", "outsider"])
def test_only_the_people_running_the_case_attach_results(client, world, who):
    case = case_in_review(world)
    _login(client, getattr(world, who))
    upload = io.BytesIO(result_pdf())
    upload.name = "结果.pdf"
    r = client.post(reverse("delivery_result_upload", args=[case.pk]), {"file": upload})
    assert r.status_code == 403
    assert not CaseDocument.objects.filter(case=case, kind="result").exists()


def test_a_result_file_is_refused_before_the_work_starts_and_after_the_client_signed(world):
    from expedite.delivery.services import result_file_add

    draft = new_case(
        world,
        client=world.acme,
        service="business-change",
        deadline=world.today.replace(year=2027),
        reason="测试",
    )
    with pytest.raises(ValidationFailed, match="不能再上传结果文件"):
        result_file_add(
            actor=world.zhang, case=draft, name="a.pdf", content=result_pdf(), now=clock.now()
        )
    assert not CaseDocument.objects.filter(case=draft).exists()


def test_staff_cannot_mark_a_case_confirmed_for_the_client(world):
    case = delivered_case(world)
    with pytest.raises(ValidationFailed, match="员工不能代为确认"):
        case_transition(actor=world.zhang, case=case, to="confirmed", now=case.updated_at)
    assert Case.objects.get(pk=case.pk).state == "delivered"


def test_the_client_confirms_with_a_code_and_gets_a_signed_chinese_pdf(client, world, smtp):
    case = delivered_case(world)
    result = CaseDocument.objects.get(case=case, kind="result")
    page = client.get(links.portal_path(case)).content.decode()
    assert "审阅并确认结果" in page and result.sha256 in page
    r = confirm_through_portal(client, case, smtp, evaluation="mostly", remark="希望日报早点发")
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == "confirmed"
    confirmation = Confirmation.objects.get(case=case)
    code = VerificationCode.objects.get(case=case)
    assert confirmation.code_number == code.pk and code.used_at is not None
    assert confirmation.contact_name == "吴刚" and confirmation.ip == "127.0.0.1"
    signed = confirmation.document.file.read()
    assert confirmation.document.client_visible
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(signed)).pages)
    for expected in (
        "加急服务结果确认单",
        case.reference,
        "苏州恒信建设工程有限公司",
        "工商变更",
        result.sha256,
        "基本满意",
        "希望日报早点发",
        "吴刚",
        "127.0.0.1",
        f"#{code.pk}",
        "报价合计",
        "计划",
    ):
        assert expected in text, expected
    # The CJK font is embedded (TrueType), not merely named.
    assert b"/FontFile2" in signed and b"STSong" not in signed
    firm_der, roots = trust_roots()
    verdict = verify_signed_pdf(signed, firm_der=firm_der, roots=roots)
    assert verdict.ok, verdict.problems
    assert verdict.firm_certificate and "吴刚" in verdict.reason and f"#{code.pk}" in verdict.reason
    kinds = list(
        AuditEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[-3:] == ["case.state_changed", "case.file_added", "delivery.confirmed"]
    event = AuditEvent.objects.get(case=case, kind="delivery.confirmed")
    assert event.payload["sha256"] == confirmation.document.sha256
    assert event.payload["code"] == code.pk and event.payload["ip"] == "127.0.0.1"
    # The client downloads it from its page.
    page = client.get(links.portal_path(case)).content.decode()
    assert "下载已签署的结果确认单" in page
    download = client.get(
        reverse("portal_file", args=[links.portal_token(case), confirmation.document.pk])
    )
    assert b"".join(download.streaming_content) == signed


def test_a_wrong_code_is_refused_clearly_and_changes_nothing(client, world, smtp):
    case = delivered_case(world)
    before = _written(case)
    contact = case.client.contacts.get()
    client.post(confirm_url(case), {"action": "send", "contact": contact.pk})
    right = mailed_code(smtp)
    wrong = "000000" if right != "000000" else "111111"
    r = client.post(
        confirm_url(case), {"action": "confirm", "evaluation": "satisfied", "code": wrong}
    )
    assert r.status_code == 422
    assert "验证码不正确，还可尝试 4 次" in r.content.decode()
    assert _written(case) == before
    assert VerificationCode.objects.get(case=case).attempts == 1
    assert AuditEvent.objects.filter(case=case, kind="portal.code_failed").count() == 1


def test_an_evaluation_is_required_and_an_unhappy_client_says_why(client, world, smtp):
    case = delivered_case(world)
    before = _written(case)
    contact = case.client.contacts.get()
    client.post(confirm_url(case), {"action": "send", "contact": contact.pk})
    code = mailed_code(smtp)
    r = client.post(confirm_url(case), {"action": "confirm", "code": code})
    assert r.status_code == 422 and "请选择您对结果的评价" in r.content.decode()
    r = client.post(
        confirm_url(case), {"action": "confirm", "code": code, "evaluation": "unsatisfied"}
    )
    assert r.status_code == 422 and "请填写意见" in r.content.decode()
    assert _written(case) == before
    assert VerificationCode.objects.get(case=case).used_at is None  # the code still works
    r = client.post(
        confirm_url(case),
        {"action": "confirm", "code": code, "evaluation": "unsatisfied", "remark": "执照有错字"},
    )
    assert r.status_code == 302 and Case.objects.get(pk=case.pk).state == "confirmed"


def test_confirming_twice_is_refused(client, world, smtp):
    case = delivered_case(world)
    confirm_through_portal(client, case, smtp)
    after_first = _written(case)
    assert after_first[:2] == ("confirmed", 1)
    mails = len(smtp.messages)
    r = confirm_through_portal(client, case, smtp)
    assert r.status_code == 422 and "不能重复确认" in r.content.decode()
    assert len(smtp.messages) == mails  # no new code for a case with nothing to confirm
    from expedite.delivery.services import delivery_confirm

    with pytest.raises(ValidationFailed, match="已经确认过"):
        delivery_confirm(
            case=case,
            code_id=None,
            code="123456",
            evaluation="satisfied",
            remark="",
            ip="127.0.0.1",
            now=case.updated_at,
        )
    assert _written(case) == after_first


def test_nothing_is_delivered_or_confirmed_without_a_result_file(client, world, smtp):
    from expedite.delivery.services import delivery_confirm

    case = case_in_review(world)
    from tests.web.delivery_helpers import pass_review

    pass_review(world, case)
    events = AuditEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationFailed, match="还没有结果文件"):
        case_transition(actor=world.zhang, case=case, to="delivered", now=case.updated_at)
    assert Case.objects.get(pk=case.pk).state == "review"
    assert AuditEvent.objects.filter(case=case).count() == events
    # A case delivered before that rule held still offers the client nothing to sign.
    Case.objects.filter(pk=case.pk).update(state="delivered")
    case.refresh_from_db()
    with pytest.raises(ValidationFailed, match="尚未上传结果文件"):
        delivery_confirm(
            case=case,
            code_id=None,
            code="123456",
            evaluation="satisfied",
            remark="",
            ip="",
            now=case.updated_at,
        )


def test_staff_download_the_signed_confirmation_by_role(client, world, smtp):
    case = delivered_case(world)
    confirm_through_portal(client, case, smtp)
    doc = Confirmation.objects.get(case=case).document
    client.logout()
    url = reverse("delivery_download", args=[case.pk, doc.pk])
    assert client.get(url).status_code == 302  # log in first
    _login(client, world.wang)
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == doc.file.open("rb").read()
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "吴刚" in page and "已签署的确认单" in page
    client.logout()
    _login(client, world.outsider)
    assert client.get(url).status_code == 403
    other = delivered_case(world, world.acme)
    client.logout()
    _login(client, world.zhang)
    assert client.get(reverse("delivery_download", args=[other.pk, doc.pk])).status_code == 404


def test_the_evidence_file_holds_the_signed_form_and_its_index_lists_the_confirmation(
    client, world, smtp
):
    import zipfile

    from expedite.records.evidence import case_evidence

    case = delivered_case(world)
    confirm_through_portal(client, case, smtp, evaluation="satisfied", remark="很快")
    doc = Confirmation.objects.get(case=case).document
    _name, data = case_evidence(actor=world.zhang, case=Case.objects.get(pk=case.pk))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        signed = z.read(f"files/{doc.sha256}.pdf")
        index = z.read("index.pdf")
    assert hashlib.sha256(signed).hexdigest() == doc.sha256
    firm_der, roots = trust_roots()
    assert verify_signed_pdf(signed, firm_der=firm_der, roots=roots).ok
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(index)).pages)
    assert "结果确认单（客户签收）" in text and "吴刚" in text and doc.sha256 in text
    # The index embeds the same TrueType font instead of naming STSong-Light.
    assert b"/FontFile2" in index and b"STSong" not in index


def test_the_admin_page_warns_that_signatures_are_self_signed(client, world, settings):
    _login(client, world.root)
    page = client.get("/admin/").content.decode()
    assert 'id="signing-warning"' in page and "自签名证书" in page
    _login(client, world.zhang)
    assert "signing-warning" not in client.get(reverse("case_list")).content.decode()


def test_without_a_usable_font_the_client_is_told_and_nothing_is_signed(
    client, world, smtp, settings
):
    case = delivered_case(world)
    before = _written(case)
    settings.EXPEDITE_PDF_FONT = "/nonexistent/font.ttf"
    r = confirm_through_portal(client, case, smtp)
    assert r.status_code == 422 and "确认单暂时无法签署" in r.content.decode()
    assert _written(case) == before
    assert VerificationCode.objects.get(case=case).used_at is None


def test_nothing_is_added_to_the_results_once_delivered(world):
    from expedite.delivery.services import result_file_add

    case = delivered_case(world)
    with pytest.raises(ValidationFailed):
        result_file_add(
            actor=world.zhang,
            case=case,
            name="补充.pdf",
            content=result_pdf("late"),
            now=timezone.now(),
        )
    assert CaseDocument.objects.filter(case=case, kind="result").count() == 1


def test_a_client_never_signs_for_results_its_page_did_not_show(world):
    from expedite.delivery.selectors import results_digest
    from expedite.delivery.services import delivery_confirm, result_file_add
    from expedite.portal.services import code_issue

    case = delivered_case(world)
    shown = results_digest(case)
    # Meanwhile the case goes back to work, gains a file, is reviewed and delivered again.
    case = case_transition(actor=world.zhang, case=case, to="in_progress", now=timezone.now())
    result_file_add(
        actor=world.zhang, case=case, name="更正.pdf", content=result_pdf("fix"), now=timezone.now()
    )
    case = case_transition(actor=world.zhang, case=case, to="review", now=timezone.now())
    pass_review(world, case)
    case = case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())
    row, code = code_issue(case=case, contact=case.client.contacts.first(), now=timezone.now())
    with pytest.raises(ValidationFailed, match="结果文件在您打开本页后有更新"):
        delivery_confirm(
            case=case,
            code_id=row.pk,
            code=code,
            evaluation="satisfied",
            remark="",
            ip="127.0.0.1",
            now=timezone.now(),
            seen=shown,
        )
    assert Case.objects.get(pk=case.pk).state == "delivered"
    assert not Confirmation.objects.filter(case=case).exists()
    # With the page reloaded, the same code confirms.
    delivery_confirm(
        case=case,
        code_id=row.pk,
        code=code,
        evaluation="satisfied",
        remark="",
        ip="127.0.0.1",
        now=timezone.now(),
        seen=results_digest(case),
    )
    assert Case.objects.get(pk=case.pk).state == "confirmed"
