"""The evidence file: a ZIP with a Chinese PDF index, events with chain proof, files, costs."""

import hashlib
import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.cases.costs import cost_entry_add
from expedite.cases.triage import case_document_add
from expedite.records.evidence import case_evidence
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.case(service="labor-dispatch-license", days=30),
]


@pytest.fixture
def case(case, world):
    """The shared case with a notice and a cost on file, so the evidence has each kind."""
    case_document_add(
        actor=world.zhang,
        case=case,
        kind="deadline_notice",
        name="通知.pdf",
        content=b"%PDF notice",
    )
    cost_entry_add(
        actor=world.li,
        case=case,
        kind="third_party",
        description="电子签章服务",
        amount=300,
        day=timezone.localdate(),
    )
    return case


def test_the_evidence_file_can_be_checked_offline(world, case):
    name, data = case_evidence(actor=world.zhang, case=case)
    assert name == f"{case.reference}-evidence.zip"
    z = zipfile.ZipFile(io.BytesIO(data))
    assert {"README.txt", "events.json", "index.pdf", "costs.csv"} <= set(z.namelist())
    assert z.read("index.pdf").startswith(b"%PDF")
    events = json.loads(z.read("events.json"))["events"]
    assert [e["kind"] for e in events] == ["case.created", "case.file_added", "case.cost_recorded"]
    for e in events:  # the algorithm of README.txt, verbatim
        doc = {
            k: e[k]
            for k in ("seq", "time", "actor_kind", "actor", "kind", "case", "payload", "prev_hash")
        }
        raw = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        assert hashlib.sha256(raw).hexdigest() == e["hash"]
        assert e["prev_hash"] == e["previous_event_hash"]
    digest = hashlib.sha256(b"%PDF notice").hexdigest()
    assert z.read(f"files/{digest}.pdf") == b"%PDF notice"
    assert "电子签章服务" in z.read("costs.csv").decode()
    exported = AuditEvent.objects.get(kind="case.evidence_exported", case=case)
    assert exported.payload["sha256"] == hashlib.sha256(data).hexdigest()


def test_materials_and_messages_are_in_the_evidence_file(world, case):
    from pypdf import PdfReader

    from expedite.materials.services import submission_add
    from expedite.notify.services import enqueue
    from tests.web.materials_helpers import pdf_bytes

    now = timezone.now()
    v1, v2 = pdf_bytes("营业执照"), pdf_bytes("营业执照（换发）")
    first = submission_add(
        case=case, item="license", name="执照.pdf", content=v1, now=now, actor=world.zhang
    )
    second = submission_add(
        case=case, item="license", name="执照-新.pdf", content=v2, now=now, actor=world.zhang
    )
    enqueue(
        key="evidence-test",
        channel="email",
        recipient="wugang@hengxin.example",
        subject="【日报】材料已收到",
        body="您好，营业执照副本已收到。",
        now=now,
        case=case,
    )
    _name, data = case_evidence(actor=world.zhang, case=case)
    z = zipfile.ZipFile(io.BytesIO(data))
    for submission, content in ((first, v1), (second, v2)):
        assert z.read(f"files/{submission.sha256}.pdf") == content
    (message,) = [
        m
        for m in json.loads(z.read("messages.json"))["messages"]
        if m["subject"] == "【日报】材料已收到"
    ]
    assert message["body"] == "您好，营业执照副本已收到。"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(z.read("index.pdf"))).pages)
    for expected in (
        "申请材料（各版本）",
        "营业执照副本",
        "v2",
        "沟通记录",
        "材料已收到",
        "材料预审",
    ):
        assert expected in text.replace("\n", ""), expected
    exported = AuditEvent.objects.filter(kind="case.evidence_exported", case=case).last()
    assert exported.payload["files"] == 3  # the notice and both versions


def test_the_button_and_the_command(client, world, case, tmp_path):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("case_evidence", args=[case.pk]))
    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None
    out = tmp_path / "e.zip"
    call_command("evidence", case.reference, "-o", str(out), stdout=StringIO())
    assert zipfile.ZipFile(out).testzip() is None


def test_outsiders_get_no_evidence(client, world, case):
    client.login(username="outsider", password=PASSWORD)
    assert client.post(reverse("case_evidence", args=[case.pk])).status_code == 403
    assert client.get(reverse("case_evidence", args=[case.pk])).status_code == 405
