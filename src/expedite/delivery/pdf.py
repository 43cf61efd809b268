"""The 加急服务结果确认单 as a Chinese PDF with an embedded CJK TrueType font (ReportLab).

The document is deterministic for its inputs (ReportLab's invariant mode), so the same
confirmation rendered twice gives the same bytes before signing.
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from expedite.cases.pdffont import cjk_font
from expedite.cases.pdfsafe import paragraph
from expedite.domain.calendar import WorkCalendar
from expedite.domain.delivery import EVALUATION_LABELS, ConfirmationRecord, slip_text

from .selectors import Sheet

TITLE = "加急服务结果确认单"


def _d(value: dt.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def _t(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return f"{value.astimezone(tz):%Y-%m-%d %H:%M}" if value else "—"


def confirmation_pdf(
    sheet: Sheet,
    record: ConfirmationRecord,
    *,
    remark: str,
    signer: str,
    signer_sha256: str,
    self_signed: bool,
    tz: dt.tzinfo,
    calendar: WorkCalendar,
) -> bytes:
    """`calendar` is the firm's working-day calendar: slips are counted in its working days."""
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11)
    title = ParagraphStyle(
        "title", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=4
    )
    head = ParagraphStyle(
        "head", fontName=font, fontSize=12, leading=18, spaceBefore=10, spaceAfter=4
    )

    def p(text, style=body):
        return paragraph(text, style)

    def table(rows, widths, *, header=True):
        t = Table([[p(c, small) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f5f9")))
        t.setStyle(TableStyle(style))
        return t

    fees = sheet.fees
    story = [
        p(TITLE, title),
        p(f"{sheet.firm}　加急单编号：{sheet.reference}", small),
        p("一、服务信息", head),
        table(
            [
                ["客户", f"{sheet.client_name}（统一社会信用代码 {sheet.client_uscc}）"],
                ["服务事项", sheet.service_name],
                ["要求截止日期", _d(sheet.requested_deadline)],
                ["完成时间（交付）", _t(sheet.delivered_at, tz)],
            ],
            [40 * mm, 140 * mm],
            header=False,
        ),
        p("二、结果文件", head),
    ]
    # The hash on one line (it is what the client compares), the file's facts beside it.
    files = [["文件（大小，上传时间）", "SHA-256"]] + [
        [f"{f.name}（{f.size:,} 字节，{_t(f.uploaded_at, tz)}）", f.sha256] for f in sheet.files
    ]
    story.append(table(files, [62 * mm, 118 * mm]))
    story.append(p("三、计划与实际", head))
    dates = [["事项", "计划", "实际", "差异"]] + [
        [r.label, _d(r.planned), _d(r.actual), slip_text(r.slip_workdays(calendar))]
        for r in sheet.dates
    ]
    story.append(table(dates, [80 * mm, 32 * mm, 32 * mm, 36 * mm]))
    story.append(p("四、费用（报价与实际）", head))
    fee_rows = [
        ["项目", "金额（元）"],
        ["报价合计", f"{fees.quoted:,.2f}"],
        ["其中基础服务费", f"{fees.base:,.2f}"],
        ["报价中的加急部分", f"{fees.quoted_extra:,.2f}"],
        ["实际加急费用（费用明细合计）", f"{fees.actual_extra:,.2f}"],
        *[[f"　{label}", f"{amount:,.2f}"] for label, amount in fees.by_kind],
    ]
    if fees.overtime_hours:
        fee_rows.append(["　加班工时（小时）", f"{fees.overtime_hours}"])
    story.append(table(fee_rows, [110 * mm, 70 * mm]))
    story.append(p("五、客户评价", head))
    story.append(p(f"评价：{EVALUATION_LABELS[record.evaluation]}"))
    story.append(p(f"意见：{remark or '无'}"))
    story.append(p("六、确认记录", head))
    story.append(table([[k, v] for k, v in record.lines(tz)], [40 * mm, 140 * mm], header=False))
    story.append(Spacer(1, 4 * mm))
    story.append(
        p(
            f"客户已审阅上列结果文件（以 SHA-256 标识），通过发送至其登记联系人的一次性验证码确认"
            f"收到办理结果。本确认单由 {sheet.firm} 以电子签章（PAdES）签署，签名覆盖整个文件，"
            "任何改动都会使签名失效。",
            small,
        )
    )
    cert_note = "（自签名证书）" if self_signed else ""
    story.append(p(f"签章证书：{signer}{cert_note}　SHA-256 指纹：{signer_sha256}", small))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{TITLE} {sheet.reference}",
        author=sheet.firm,
        subject=record.signature_reason(tz),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()
