"""A client contact may read English: its portal, its messages and its 结果确认单 follow it.

English output is checked for Chinese after removing what the client itself wrote or is
called (company, people, the reason it gave). Strings marked for translation that the English
catalog does not hold yet read as their Chinese msgid; those are removed too, so the check
tightens by itself as the catalog is completed.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

import expedite
from expedite.audit.models import AuditEvent
from expedite.cases.models import ClientContact
from expedite.delivery.models import Confirmation
from expedite.portal import links
from tests.conftest import PASSWORD
from tests.web.delivery_helpers import client_confirms, delivered_case

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff60]+")
SOURCE = Path(expedite.__file__).parent
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "pgettext_lazy"}
# A msgid in a template: {% translate "…" %} or a blocktranslate's text.
TEMPLATE_MSGID = re.compile(
    r"""{%\s*translate\s+(?:"([^"]*)"|'([^']*)')|"""
    r"""{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}""",
    re.S,
)


def _msgids():
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
            ):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        yield arg.value
    for path in SOURCE.rglob("*.html"):
        for match in TEMPLATE_MSGID.finditer(path.read_text(encoding="utf-8")):
            msgid = next(g for g in match.groups() if g is not None)
            yield re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", msgid)


@functools.cache
def _awaiting_catalog() -> tuple[str, ...]:
    """The Chinese pieces of marked strings that have no English translation yet."""
    pieces = set()
    with override("en"):
        for msgid in _msgids():
            if HAN.search(msgid) and gettext(msgid) == msgid:
                pieces.update(HAN.findall(msgid))
    return tuple(sorted(pieces, key=len, reverse=True))


def chinese_left(text: str, *entered: str, wrapped: bool = False) -> list[str]:
    """The Chinese in `text` but for `entered` and what awaits the catalog. `wrapped`: a PDF's
    text, whose lines may break anywhere, is compared without white space."""
    squash = (lambda t: re.sub(r"\s+", "", t)) if wrapped else (lambda t: t)
    text = squash(text)
    for value in sorted(entered, key=len, reverse=True):
        text = text.replace(squash(value), " ")
    for piece in _awaiting_catalog():
        text = text.replace(piece, " ")
    return HAN.findall(text)


def pdf_text(document) -> str:
    from pypdf import PdfReader

    with document.file.open("rb") as fh:
        reader = PdfReader(fh)
        return " ".join(page.extract_text() or "" for page in reader.pages)


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    # The switch names the other language in that language (中文) on purpose.
    page = re.sub(r'<button\b[^>]*name="language"[^>]*>.*?</button>', " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def english(contact: ClientContact) -> ClientContact:
    contact.language = "en"
    contact.save(update_fields=["language"])
    return contact


def _entered(case) -> list[str]:
    from expedite.domain.portal import mask_email, mask_name, mask_phone

    values = [case.client.name, case.reason, settings.EXPEDITE_FIRM_NAME]
    for c in case.client.contacts.all():
        values += [c.name, mask_name(c.name), mask_phone(c.phone), mask_email(c.email)]
    values += [u.get_full_name() for u in type(case.created_by).objects.all()]
    values += [u.last_name + u.first_name for u in type(case.created_by).objects.all()]
    return [v for v in values if v]


@pytest.mark.case(client="hengxin", days=20, reason="签约要用新执照")
def test_a_contact_preferring_english_gets_the_portal_in_english(client, world, case):
    english(world.hengxin.contacts.get())
    for path in (links.portal_path(case), links.portal_path(case) + "verify/"):
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="en">' in page and response["Content-Language"] == "en"
        assert chinese_left(_visible(page), *_entered(case)) == [], path
    # The visitor may still switch, for this browser session.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(links.portal_path(case)).content.decode()
    assert '<html lang="zh-hans">' in page and "办理进度" in page


@pytest.mark.case(client="hengxin", days=20, reason="签约")
def test_a_chinese_contact_still_gets_the_portal_in_chinese(client, world, case):
    page = client.get(links.portal_path(case)).content.decode()
    assert '<html lang="zh-hans">' in page and "办理进度" in page
    assert 'name="language" value="en"' in page  # the switch


@pytest.mark.case(client="hengxin", days=20, reason="签约")
def test_the_code_is_mailed_in_the_contacts_language_whatever_the_page_language(
    client, world, case
):
    contact = english(world.hengxin.contacts.get())
    # Asked from a page read in Chinese: the mail still follows the contact.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    client.post(links.portal_path(case) + "verify/", {"action": "send", "contact": contact.pk})
    message = mail.outbox[-1]
    assert message.to == [contact.email]
    assert chinese_left(f"{message.subject} {message.body}", *_entered(case)) == []
    assert case.reference in message.body


@pytest.mark.case(client="hengxin", days=20, reason="签约")
def test_outbox_messages_to_the_client_follow_each_contacts_language(world, case):
    from expedite.cases.services import ContactInput, client_contact_add
    from expedite.notify.models import OutboxMessage
    from expedite.work.steps import _tell_client_milestone

    anna = client_contact_add(
        actor=world.zhang,
        client=world.hengxin,
        contact=ContactInput(name="Anna Weber", email="anna@hengxin.example", language="en"),
    )
    _tell_client_milestone(case, "部门审批中", timezone.now())
    rows = {r.recipient: r for r in OutboxMessage.objects.filter(key__startswith="milestone:")}
    chinese, en = rows["wugang@hengxin.example"], rows[anna.email]
    assert "办理进度" in chinese.subject and "部门审批中" in chinese.body
    assert chinese_left(f"{en.subject} {en.body}", *_entered(case)) == []
    # Each message records the language it is written in, so a record of it is read as such.
    assert (chinese.language, en.language) == ("zh-hans", "en")


@pytest.mark.django_db(transaction=True)  # the signed file is written once committed
def test_the_confirmation_pdf_is_in_the_confirming_contacts_language(world):
    from expedite.cases.models import CaseDocument

    english(world.hengxin.contacts.get())
    case = delivered_case(world)
    client_confirms(case)
    document = CaseDocument.objects.get(pk=Confirmation.objects.get(case=case).document_id)
    text = pdf_text(document)
    with override("en"):
        title = gettext("加急服务结果确认单")
    assert title in text and "加急服务结果确认单" not in text
    files = case.documents.values_list("name", flat=True)
    # The certificate's subject names the firm's seal as the certificate has it.
    signer = Confirmation.objects.get(case=case).signer_subject
    assert chinese_left(text, *_entered(case), *files, signer, wrapped=True) == []


@pytest.mark.django_db(transaction=True)
def test_a_chinese_contact_gets_the_confirmation_pdf_in_chinese(world):
    from expedite.cases.models import CaseDocument

    case = delivered_case(world)
    client_confirms(case)
    document = CaseDocument.objects.get(pk=Confirmation.objects.get(case=case).document_id)
    assert "加急服务结果确认单" in pdf_text(document)
    assert document.name.endswith("结果确认单.pdf")


def _staff(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_staff_set_a_contacts_language_on_the_client_page(client, world):
    contact = world.hengxin.contacts.get()
    _staff(client, world.zhang)
    url = reverse("client_contact_language", args=[world.hengxin.pk])
    response = client.post(url, {"contact": contact.pk, "language": "en"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.language == "en"
    event = AuditEvent.objects.get(kind="client.contact_language_set")
    assert event.payload["to"] == "en" and event.payload["contact_id"] == contact.pk
    page = client.get(reverse("client_detail", args=[world.hengxin.pk])).content.decode()
    assert 'value="en" selected' in page


def test_an_invalid_language_is_refused_in_chinese_and_changes_nothing(client, world):
    contact = world.hengxin.contacts.get()
    _staff(client, world.zhang)
    before = AuditEvent.objects.count()
    url = reverse("client_contact_language", args=[world.hengxin.pk])
    response = client.post(url, {"contact": contact.pk, "language": "de"}, follow=True)
    assert "联系人语言无效：请选择中文或英文。" in response.content.decode()
    contact.refresh_from_db()
    assert contact.language == "zh-hans" and AuditEvent.objects.count() == before
    # Adding a contact with one is refused the same way, with nothing added.
    response = client.post(
        reverse("client_detail", args=[world.hengxin.pk]),
        {"contact_name": "Hans", "contact_email": "hans@hengxin.example", "contact_language": "de"},
    )
    assert "联系人语言无效：请选择中文或英文。" in response.content.decode()
    assert world.hengxin.contacts.count() == 1


def test_a_contact_added_with_english_keeps_it(client, world):
    _staff(client, world.zhang)
    client.post(
        reverse("client_detail", args=[world.hengxin.pk]),
        {"contact_name": "Hans", "contact_email": "hans@hengxin.example", "contact_language": "en"},
    )
    assert world.hengxin.contacts.get(name="Hans").language == "en"


def test_a_role_that_may_not_edit_clients_cannot_change_a_language(client, world):
    contact = world.hengxin.contacts.get()
    _staff(client, world.li)
    url = reverse("client_contact_language", args=[world.hengxin.pk])
    response = client.post(url, {"contact": contact.pk, "language": "en"})
    assert response.status_code in (403, 404)
    contact.refresh_from_db()
    assert contact.language == "zh-hans"


def test_a_contact_of_another_client_cannot_be_changed_through_this_one(client, world):
    """The route is one client's; a contact id of another client is refused and unchanged."""
    other = world.hengxin.contacts.get()
    _staff(client, world.zhang)
    before = AuditEvent.objects.count()
    url = reverse("client_contact_language", args=[world.acme.pk])
    response = client.post(url, {"contact": other.pk, "language": "en"}, follow=True)
    assert response.status_code in (200, 404)
    other.refresh_from_db()
    assert other.language == "zh-hans" and AuditEvent.objects.count() == before


def test_the_demo_contact_of_delan_reads_english(db, catalog):
    from expedite.ops.demo import DEMO_CLIENTS, DEMO_CONTACT_LANGUAGES

    delan = next(c for c in DEMO_CLIENTS if c[0].startswith("德澜"))
    assert DEMO_CONTACT_LANGUAGES[delan[3]] == "en"
