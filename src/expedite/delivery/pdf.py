"""The 加急服务结果确认单 as a PDF with an embedded CJK TrueType font (ReportLab).

It is written in the active language: the caller activates the language of the contact who
confirms (the client's own data, such as its name and file names, stays as entered). The
document is deterministic for its inputs (ReportLab's invariant mode), so the same
confirmation rendered twice gives the same bytes before signing.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from expedite.cases.pdffont import cjk_font
from expedite.cases.pdfsafe import paragraph
from expedite.domain.calendar import WorkCalendar
from expedite.domain.delivery import EVALUATION_LABELS, ConfirmationRecord

from .selectors import Sheet


def _slip(days: int | None) -> str:
    if days is None:
        return "—"
    if days == 0:
        return _("按期")
    n = abs(days)
    if days > 0:
        return ngettext("晚 %(n)s 个工作日", "晚 %(n)s 个工作日", n) % {"n": n}
    return ngettext("提前 %(n)s 个工作日", "提前 %(n)s 个工作日", n) % {"n": n}


def _record_rows(record: ConfirmationRecord, tz: dt.tzinfo) -> list[list[str]]:
    """What the client confirmed: record.lines, in the active language."""
    when = record.confirmed_at.astimezone(tz)
    who = _("%(contact)s（%(client)s）") % {
        "contact": record.contact_name,
        "client": record.client_name,
    }
    return [
        [_("确认人"), who],
        [_("确认时间"), f"{when:%Y-%m-%d %H:%M:%S} (UTC{when:%z})"],
        [_("确认 IP"), record.ip or _("未知")],
        [_("验证码编号"), f"#{record.code_id}"],
        [_("客户评价"), _(EVALUATION_LABELS[record.evaluation])],
    ]


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
    title_text = _("加急服务结果确认单")
    story = [
        p(title_text, title),
        p(_("%(firm)s　加急单编号：%(ref)s") % {"firm": sheet.firm, "ref": sheet.reference}, small),
        p(_("一、服务信息"), head),
        table(
            [
                [
                    _("客户"),
                    _("%(name)s（统一社会信用代码 %(uscc)s）")
                    % {"name": sheet.client_name, "uscc": sheet.client_uscc},
                ],
                [_("服务事项"), sheet.service_name],
                [_("要求截止日期"), _d(sheet.requested_deadline)],
                [_("完成时间（交付）"), _t(sheet.delivered_at, tz)],
            ],
            [40 * mm, 140 * mm],
            header=False,
        ),
        p(_("二、结果文件"), head),
    ]
    # The hash on one line (it is what the client compares), the file's facts beside it.
    files = [[_("文件（大小，上传时间）"), "SHA-256"]] + [
        [
            _("%(name)s（%(size)s 字节，%(at)s）")
            % {"name": f.name, "size": f"{f.size:,}", "at": _t(f.uploaded_at, tz)},
            f.sha256,
        ]
        for f in sheet.files
    ]
    story.append(table(files, [62 * mm, 118 * mm]))
    story.append(p(_("三、计划与实际"), head))
    dates = [[_("事项"), _("计划"), _("实际"), _("差异")]] + [
        [r.label, _d(r.planned), _d(r.actual), _slip(r.slip_workdays(calendar))]
        for r in sheet.dates
    ]
    story.append(table(dates, [80 * mm, 32 * mm, 32 * mm, 36 * mm]))
    story.append(p(_("四、费用（报价与实际）"), head))
    fee_rows = [
        [_("项目"), _("金额（元）")],
        [_("报价合计"), f"{fees.quoted:,.2f}"],
        [_("其中基础服务费"), f"{fees.base:,.2f}"],
        [_("报价中的加急部分"), f"{fees.quoted_extra:,.2f}"],
        [_("实际加急费用（费用明细合计）"), f"{fees.actual_extra:,.2f}"],
        *[[f"　{label}", f"{amount:,.2f}"] for label, amount in fees.by_kind],
    ]
    if fees.overtime_hours:
        fee_rows.append([_("　加班工时（小时）"), f"{fees.overtime_hours}"])
    story.append(table(fee_rows, [110 * mm, 70 * mm]))
    story.append(p(_("五、客户评价"), head))
    evaluation = _(EVALUATION_LABELS[record.evaluation])
    story.append(p(_("评价：%(evaluation)s") % {"evaluation": evaluation}))
    story.append(p(_("意见：%(remark)s") % {"remark": remark or _("无")}))
    story.append(p(_("六、确认记录"), head))
    story.append(table(_record_rows(record, tz), [40 * mm, 140 * mm], header=False))
    story.append(Spacer(1, 4 * mm))
    story.append(
        p(
            _(
                "客户已审阅上列结果文件（以 SHA-256 标识），"
                "通过发送至其登记联系人的一次性验证码确认收到办理结果。"
                "本确认单由 %(firm)s 以电子签章（PAdES）签署，签名覆盖整个文件，"
                "任何改动都会使签名失效。"
            )
            % {"firm": sheet.firm},
            small,
        )
    )
    cert_note = _("（自签名证书）") if self_signed else ""
    story.append(
        p(
            _("签章证书：%(signer)s%(note)s　SHA-256 指纹：%(sha)s")
            % {"signer": signer, "note": cert_note, "sha": signer_sha256},
            small,
        )
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{title_text} {sheet.reference}",
        author=sheet.firm,
        subject=record.signature_reason(tz),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        invariant=1,
    )
    doc.build(story)
    return buffer.getvalue()
