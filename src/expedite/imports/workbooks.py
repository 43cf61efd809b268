"""The import template to fill in, and the report of what an import did, as Excel workbooks.

Cells go in through `append_row`: a name that looks like a formula stays text."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from expedite.cases.models import (
    CONTACT_LANGUAGE_CHOICES,
    CREDENTIAL_KIND_CHOICES,
    VALUE_TIER_CHOICES,
)
from expedite.cases.spreadsheet import append_row
from expedite.common.i18n import localized
from expedite.domain.errors import ValidationFailed, gettext_noop
from expedite.domain.imports import COLUMNS, SHEET_TITLES, SheetKind

from . import samples
from .plan import NEW, REFUSED, SAME, UPDATE

ACTION_WORDS = {
    NEW: gettext_noop("新建"),
    UPDATE: gettext_noop("更新"),
    SAME: gettext_noop("无变化"),
    REFUSED: gettext_noop("未导入"),
}


def action_label(action: str) -> str:
    return _(ACTION_WORDS[action])


def problem_text(problem: dict) -> str:
    error = ValidationFailed(problem["template"], params=problem.get("params") or {})
    text = localized(error)
    label = _(problem["column"]) if problem.get("column") else ""
    # "统一社会信用代码：统一社会信用代码应为 18 位" says the column twice.
    if not label or text.startswith(label):
        return text
    return _("%(column)s：%(problem)s") % {"column": label, "problem": text}


def _sheet(wb, title: str, head: list[str], widths: list[int]):
    # openpyxl weighs ~37 MB resident: loaded when a workbook is made, by that process.
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    append_row(ws, head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    return ws


def template_bytes(today) -> bytes:
    """Instructions, then one sheet per kind with its headers (Chinese, as the reader knows
    them; required ones starred) and the sample rows to overwrite."""
    # openpyxl weighs ~37 MB resident: loaded when a workbook is made, by that process.
    from openpyxl import Workbook

    wb = Workbook()
    guide = wb.active
    guide.title = _("填写说明")
    for line in (
        _("每个工作表的第一行是列名，请勿修改；带 * 的列必填。"),
        _(
            "“客户”表每行一家公司，可同时填写一位主要联系人；同一统一社会信用代码再次导入时更新该客户，不会重复建档。"
        ),
        _(
            "“联系人”表为已有或同时导入的客户添加联系人，按手机号（无手机号时按电子邮箱）识别同一人。"
        ),
        _(
            "“证照”表登记营业执照、许可证、资质证书和印章；"
            "“有效期至”填日期（如 2027-03-31），无期限的填“长期”。"
        ),
        _("客户价值等级：普通、重点客户、战略客户；语言：中文、英文。"),
        _(
            "上传后会先显示每一行的检查结果，确认后才导入没有问题的行。"
            "也可以每种数据各存一个 CSV 文件上传。"
        ),
    ):
        append_row(guide, [line])
    guide.column_dimensions["A"].width = 110
    tables = samples.rows(today)
    for kind in SheetKind:
        required = {c.label for c in COLUMNS[kind] if c.required}
        head = [f"{h}*" if h in required else h for h in tables[kind.value][0]]
        ws = _sheet(wb, _(SHEET_TITLES[kind]), head, [22] * len(head))
        for row in tables[kind.value][1:3]:
            append_row(ws, row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def report_bytes(batch) -> bytes:
    """Each row of the upload with what became of it and, if refused, why."""
    # openpyxl weighs ~37 MB resident: loaded when a workbook is made, by that process.
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    by_kind: dict[str, list[dict]] = {kind.value: [] for kind in SheetKind}
    for row in batch.rows:
        by_kind[row["sheet"]].append(row)
    for kind in SheetKind:
        if not by_kind[kind.value]:
            continue
        labels = [_(c.label) for c in COLUMNS[kind]]
        head = [_("来源"), _("行号"), _("结果"), *labels, _("问题")]
        ws = _sheet(wb, _(SHEET_TITLES[kind]), head, [24, 8, 10, *[18] * len(labels), 60])
        for row in by_kind[kind.value]:
            append_row(
                ws,
                [
                    row["values"].get("sheet_name", ""),
                    row["number"],
                    action_label(row["action"]),
                    *_cells(kind, row["values"]),
                    "；".join(problem_text(p) for p in row["problems"]),
                ],
            )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or ""))


def _contact_cells(contact: dict) -> list:
    return [
        *[contact.get(k, "") for k in ("name", "title", "phone", "email")],
        _label(CONTACT_LANGUAGE_CHOICES, contact.get("language")),
    ]


def _cells(kind: SheetKind, values: dict) -> list:
    contact = values.get("contact") or {}
    if kind is SheetKind.CLIENTS:
        return [
            values.get("name", ""),
            values.get("uscc", ""),
            _label(VALUE_TIER_CHOICES, values.get("tier")),
            values.get("notes", ""),
            *_contact_cells(contact),
        ]
    if kind is SheetKind.CONTACTS:
        return [values.get("uscc", ""), *_contact_cells(contact)]
    return [
        values.get("uscc", ""),
        _label(CREDENTIAL_KIND_CHOICES, values.get("kind")),
        *[values.get(k) or "" for k in ("title", "number", "issued", "expires")],
    ]
