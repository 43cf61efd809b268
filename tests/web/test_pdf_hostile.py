"""Every PDF the product writes, with markup in every field a client or staff member types:
the text is printed as typed, nothing is fetched, no link is made, nothing fails."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from expedite.cases.costs import cost_entry_add
from expedite.cases.lifecycle import case_transition
from expedite.cases.services import ContactInput
from expedite.cases.triage import case_document_add
from expedite.delivery.models import Confirmation
from expedite.delivery.services import result_file_add
from expedite.materials.services import submission_add
from expedite.monitoring.incidents import incident_acknowledge, incident_raise
from tests.conftest import PASSWORD, make_uscc
from tests.factories import ClientFactory, case_along
from tests.web import custody_helpers
from tests.web.delivery_helpers import confirm_through_portal, pass_review, result_pdf
from tests.web.materials_helpers import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)
smtp = custody_helpers.smtp  # fixture


class _Trap(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self):
        self.server.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def trap():
    """A web server on a free loopback port that records every request made to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def hostile(port: int, label: str) -> str:
    """What ReportLab would act on if it were markup: a remote image, a link, a script tag, an
    unclosed tag and an entity."""
    return (
        f'{label} <img src="http://127.0.0.1:{port}/x.png" width="5" height="5"/>'
        f'<a href="http://127.0.0.1:{port}/a">点此</a><script>x</script><b>未闭合 &amp;'
    )


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def links(data: bytes) -> list:
    return [
        a.get_object()
        for page in PdfReader(io.BytesIO(data)).pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Link"
    ]


@pytest.fixture
def case(world, trap, smtp):
    """A delivered case whose every typed field carries markup, confirmed by the client with a
    remark that carries it too."""
    port = trap.server_address[1]
    client = ClientFactory(
        actor=world.zhang,
        name=hostile(port, "客户"),
        uscc=make_uscc("91310115MA1K4HXT2"),
        contacts=[ContactInput(name="<b>吴<script>", email="wu@hostile.example")],
    )
    case = case_along(
        world,
        client=client,
        days=40,
        reason=hostile(port, "事由"),
        facts={"resolution_signed": True},
        states=("quoted", "accepted", "in_progress"),
    )
    now = timezone.now()
    case_document_add(
        actor=world.zhang, case=case, kind="deadline_notice", name="<b>通知.pdf", content=b"%PDF"
    )
    submission_add(
        case=case, item="license", name="<i>执照<script>.pdf", content=pdf_bytes(), now=now,
        actor=None, contact="<b>吴<script>",
    )  # fmt: skip
    cost_entry_add(
        actor=world.li,
        case=case,
        kind="third_party",
        description=hostile(port, "费用"),
        amount=300,
        day=timezone.localdate(),
    )
    incident = incident_raise(
        actor=world.li,
        case=case,
        kind=incident_kind(),
        description=hostile(port, "异常"),
        now=now,
    )
    incident_acknowledge(
        actor=world.li, incident=incident, cause=hostile(port, "原因"), remedy="<b>补救", now=now
    )
    case = case_transition(actor=world.zhang, case=case, to="review", now=timezone.now())
    result_file_add(
        actor=world.zhang,
        case=case,
        name="<u>新执照<script>.pdf",
        content=result_pdf(),
        now=timezone.now(),
    )
    pass_review(world, case)
    case = case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())
    return case


def incident_kind() -> str:
    from expedite.monitoring.models import INCIDENT_KIND_CHOICES

    return next(iter(dict(INCIDENT_KIND_CHOICES)))


def test_markup_in_every_field_is_printed_as_typed_and_fetches_nothing(
    client, world, case, trap, smtp, tmp_path
):
    port = trap.server_address[1]
    remark = hostile(port, "评价")
    response = confirm_through_portal(client, case, smtp, remark=remark)
    assert response.status_code == 302
    confirmation = Confirmation.objects.get(case=case)
    assert confirmation.remark == remark

    # The signed 结果确认单.
    signed = confirmation.document.file.read()
    text = pdf_text(signed)
    # File names are stored without markup characters: the stored name is what is printed.
    result = case.documents.get(kind="result").name
    for typed in (hostile(port, "客户"), remark, result, "<b>吴<script>"):
        assert flat(typed) in text, typed
    assert not links(signed)

    # The evidence file, from the case page and from the command.
    client.logout()
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("case_evidence", args=[case.pk]))
    assert response.status_code == 200
    page = zipfile.ZipFile(io.BytesIO(response.content)).read("index.pdf")
    out = tmp_path / "evidence.zip"
    call_command("evidence", case.reference, "-o", str(out), stdout=StringIO())
    command = zipfile.ZipFile(out).read("index.pdf")
    for index in (page, command):
        text = pdf_text(index)
        for typed in (
            hostile(port, "客户"),
            hostile(port, "费用"),
            hostile(port, "异常"),
            hostile(port, "原因"),
            remark,
            "<b>吴<script>",
            *case.documents.values_list("name", flat=True),
            *case.material_submissions.values_list("name", flat=True),
        ):
            assert flat(typed) in text, typed
        assert not links(index)

    assert trap.hits == []


def test_reportlab_reads_nothing_remote_even_from_markup_that_slipped_through(trap):
    """The second line of defence: were a remote image ever in the markup, ReportLab refuses
    it rather than fetching it."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    url = f"http://127.0.0.1:{trap.server_address[1]}/slipped.png"
    doc = SimpleDocTemplate(io.BytesIO())
    with pytest.raises(OSError, match="Cannot open resource"):
        doc.build([Paragraph(f'<img src="{url}" width="5" height="5"/>', ParagraphStyle("p"))])
    assert trap.hits == []
