"""The evidence file of a case: a ZIP anyone can check offline.

Contents:
- `index.pdf` — an index in the exporter's language (embedded CJK font): the case, its triage,
  the plan promised, the files with their SHA-256, the fee ledger, the client's signed
  confirmation, and every audit event with its hash;
- `events.json` — the case's audit events with every field the hash covers, plus for each
  the hash of the event before it in the firm's chain (the chain proof);
- `files/` — the stored files (documents and every material version), named by SHA-256;
- `messages.json` — every message the case sent, to the client or to staff;
- `costs.csv` — the fee ledger;
- `README.txt` — how to re-verify (the algorithm of docs/audit.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from expedite import clock
from expedite.accounts.selectors import staff_display_name
from expedite.audit.models import AuditEvent, audit_kind_label
from expedite.audit.services import audit_record
from expedite.audit.verify import previous_hashes
from expedite.cases.costs import fee_comparison
from expedite.cases.models import Case
from expedite.cases.pdffont import cjk_font
from expedite.cases.pdfsafe import paragraph
from expedite.cases.spreadsheet import csv_text
from expedite.cases.triage_text import readable
from expedite.domain.audit import AuditKind

from .sections import material_sections, messages, running_sections, stored_files

README = """加急服务证据包 / Expedite evidence file

events.json 中每个事件的 hash = SHA-256(规范 JSON)，规范 JSON 含 seq、time、actor_kind、
actor、kind、case、payload、prev_hash，键按字母排序、无空格、UTF-8 原文，time 为 UTC
（YYYY-MM-DDTHH:MM:SS.ffffffZ）。每个事件的 prev_hash 应等于 chain_proof 中它前一个事件的
hash。files/ 中的文件名即其 SHA-256。costs.csv 中以 = + - @ 等开头的文字前加了一个单引号 '，
以免电子表格把它当作公式执行（原文见 events.json）。校验方法见 docs/audit.md：

import hashlib, json
for e in json.load(open("events.json", encoding="utf-8"))["events"]:
    doc = {k: e[k] for k in ("seq", "time", "actor_kind", "actor", "kind", "case", "payload", "prev_hash")}
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(data).hexdigest() == e["hash"] and e["prev_hash"] == e["previous_event_hash"]
"""


def _events(case: Case) -> list[dict]:

    events = list(AuditEvent.objects.filter(case=case).order_by("seq"))
    befores = previous_hashes([e.seq for e in events])
    out = []
    for e in events:
        out.append(
            {
                "seq": e.seq,
                "time": e.time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor_kind": e.actor_kind,
                "actor": e.actor,
                "kind": e.kind,
                "case": e.case_id,
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "previous_event_hash": befores.get(e.seq, ""),
            }
        )
    return out


def _pdf(case: Case, events: list[dict]) -> bytes:
    # Embedded (subset) TrueType: the index reads the same in any PDF reader, years from now.
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    head = ParagraphStyle(
        "head", fontName=font, fontSize=12, leading=18, spaceBefore=10, spaceAfter=4
    )
    small = ParagraphStyle("small", fontName=font, fontSize=7, leading=9)

    def table(rows, widths):
        t = Table(
            [[paragraph(c, small) for c in row] for row in rows],
            colWidths=widths,
            repeatRows=1,
        )
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f5f9")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    triage = readable(case.triage or {})
    option = triage.get("recommended_option") or {}
    story = [
        paragraph(_("加急服务证据包：%(ref)s") % {"ref": case.reference}, title),
        paragraph(
            _(
                "客户：%(client)s（%(uscc)s）　服务事项：%(service)s　"
                "要求截止日期：%(deadline)s　状态：%(state)s"
            )
            % {
                "client": case.client.name,
                "uscc": case.client.uscc,
                "service": case.service.display_name(get_language()),
                "deadline": f"{case.requested_deadline:%Y-%m-%d}",
                "state": case.get_state_display(),
            },
            body,
        ),
        paragraph(_("生成时间：%(at)s") % {"at": f"{clock.local_now():%Y-%m-%d %H:%M}"}, body),
        paragraph(_("研判与承诺"), head),
    ]
    if triage:
        story.append(
            paragraph(
                _("结论：%(verdict)s（%(by)s %(at)s）")
                % {
                    "verdict": triage.get("verdict_label", ""),
                    "by": triage.get("decided_by", ""),
                    "at": triage.get("decided_at_local", ""),
                },
                body,
            )
        )
        for r in triage.get("reasons", []):
            story.append(paragraph(f"· {r['text']}", body))
        if option:
            story.append(
                paragraph(
                    _("承诺方案：%(days)s 个工作日，%(finish)s 完成，费用 ¥%(fee)s")
                    % {
                        "days": option.get("working_days"),
                        "finish": option.get("finish"),
                        "fee": option.get("fee", {}).get("total"),
                    },
                    body,
                )
            )
    else:
        story.append(paragraph(_("尚未研判。"), body))
    story.append(paragraph(_("材料与文件"), head))
    docs = [[_("文件"), _("类型"), _("上传时间"), "SHA-256"]] + [
        [d.name, d.kind, f"{timezone.localtime(d.uploaded_at):%Y-%m-%d %H:%M}", d.sha256]
        for d in case.documents.all()
    ]
    story.append(
        table(docs, [40 * mm, 25 * mm, 28 * mm, 87 * mm])
        if len(docs) > 1
        else paragraph(_("无。"), body)
    )
    story.append(paragraph(_("费用明细"), head))
    c = fee_comparison(case)
    story.append(
        paragraph(
            _("报价加急部分 ¥%(quoted)s，实际加急费用 ¥%(actual)s（基础服务费 ¥%(base)s）")
            % {"quoted": c["quoted_extra"], "actual": c["actual_extra"], "base": c["base"]},
            body,
        )
    )
    costs = [[_("日期"), _("类别"), _("说明"), _("人员"), _("工时"), _("金额")]] + [
        [
            f"{r['entry'].day or ''}",
            r["entry"].get_kind_display(),
            r["entry"].description,
            r["person_name"],
            f"{r['entry'].hours or ''}",
            f"¥{r['entry'].amount}",
        ]
        for r in c["entries"]
    ]
    story.append(
        table(costs, [22 * mm, 22 * mm, 60 * mm, 25 * mm, 15 * mm, 25 * mm])
        if len(costs) > 1
        else paragraph(_("无。"), body)
    )
    story += material_sections(
        case,
        table=table,
        para=lambda text: paragraph(text, body),
        head=lambda text: paragraph(text, head),
        mm=mm,
    )
    story += running_sections(
        case,
        table=table,
        para=lambda text: paragraph(text, body),
        head=lambda text: paragraph(text, head),
        mm=mm,
    )
    story.append(paragraph(_("操作记录（审计链）"), head))
    rows = [["#", _("时间（UTC）"), _("操作者"), _("事件"), _("哈希")]] + [
        [e["seq"], e["time"][:19], e["actor"], audit_kind_label(e["kind"]), e["hash"]]
        for e in events
    ]
    story.append(table(rows, [10 * mm, 32 * mm, 22 * mm, 28 * mm, 88 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(
        paragraph(_("校验方法见包内 README.txt 与 events.json；每个事件的哈希可离线重算。"), body)
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("%(ref)s 证据包") % {"ref": case.reference},
        leftMargin=15 * mm,
        rightMargin=15 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


@transaction.atomic
def case_evidence(*, actor, case: Case) -> tuple[str, bytes]:
    """Build the evidence ZIP of a case; the export itself is recorded (with its hash)."""
    events = _events(case)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", README)
        z.writestr(
            "events.json",
            json.dumps({"case": case.reference, "events": events}, ensure_ascii=False, indent=2),
        )
        z.writestr("index.pdf", _pdf(case, events))
        ledger = io.StringIO()
        writer = csv.writer(ledger)
        writer.writerow(["day", "kind", "description", "person", "hours", "amount"])
        for e in case.costs.select_related("person"):
            writer.writerow(
                [
                    e.day or "",
                    e.kind,
                    csv_text(e.description),
                    csv_text(staff_display_name(e.person) if e.person else ""),
                    e.hours or "",
                    e.amount,
                ]
            )
        z.writestr("costs.csv", ledger.getvalue())
        z.writestr(
            "messages.json",
            json.dumps(
                {"case": case.reference, "messages": messages(case)}, ensure_ascii=False, indent=2
            ),
        )
        files = stored_files(case)
        for sha, name in files:
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as fh:
                    z.writestr(
                        f"files/{sha}{name[name.rfind('.') :] if '.' in name else ''}", fh.read()
                    )
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    audit_record(
        kind=AuditKind.EVIDENCE_EXPORTED,
        actor=actor,
        case=case,
        payload={"sha256": digest, "events": len(events), "files": len(files)},
    )
    return f"{case.reference}-evidence.zip", data
