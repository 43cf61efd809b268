"""Sheets out of an uploaded workbook (.xlsx) or CSV file: each a header row and its data rows.

A CSV file saved by Excel on a Chinese Windows is GB18030 (GBK), one saved elsewhere UTF-8
(with or without the byte-order mark): both are read.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from expedite.domain.errors import ValidationFailed, gettext_noop
from expedite.domain.imports import MAX_ROWS, SheetKind, detect_kind, missing_columns

# An upload larger than this is not a client list (10,000 rows of xlsx are about 1 MB).
MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 40

_NOT_XLSX = gettext_noop("文件“%(name)s”无法作为 Excel 文件读取，请上传 .xlsx 或 .csv 文件。")
# What a damaged or hostile workbook raises while it is opened or read.
_BROKEN_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    SyntaxError,  # the XML parser's errors (ElementTree's and lxml's) are SyntaxErrors
    EOFError,
    KeyError,
    ValueError,
    OSError,
    TypeError,
    IndexError,
    AttributeError,
)


@dataclass(slots=True)
class Sheet:
    kind: SheetKind
    name: str  # the file (and sheet) it came from, for people
    headers: list
    rows: list[list]


def _refuse(template: str, **params) -> ValidationFailed:
    return ValidationFailed(template, field="file", params=params)


def _csv_text(name: str, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(
        gettext_noop("无法识别文件“%(name)s”的编码，请另存为 UTF-8 CSV 或 Excel 文件。"),
        name=name,
    )


def _bounded(rows, name: str) -> list[list]:
    out = []
    for row in rows:
        out.append(list(row[:MAX_COLUMNS]))
        if len(out) > MAX_ROWS + 1:
            raise _refuse(
                gettext_noop("文件“%(name)s”超过 %(max)d 行，请拆分后导入。"),
                name=name,
                max=MAX_ROWS,
            )
    return out


def _csv_rows(name: str, data: bytes) -> list[tuple[str, list[list]]]:
    text = _csv_text(name, data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [(name, _bounded(csv.reader(io.StringIO(text), dialect), name))]
    except csv.Error:  # a cell beyond the csv module's 128 KB, a stray NUL, …
        raise _refuse(
            gettext_noop(
                "文件“%(name)s”无法作为 CSV 文件读取（可能有单元格过长），请检查后再上传。"
            ),
            name=name,
        ) from None


def _xlsx_rows(name: str, data: bytes) -> list[tuple[str, list[list]]]:
    # openpyxl weighs ~37 MB resident: loaded by the process that imports, when it does.
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN_XLSX:
        raise _refuse(_NOT_XLSX, name=name) from None
    try:
        return [
            (f"{name} · {ws.title}", _bounded(ws.iter_rows(values_only=True), name))
            for ws in wb.worksheets
        ]
    except _BROKEN_XLSX:
        # Sheets are read row by row: a damaged one shows only when it is reached.
        raise _refuse(_NOT_XLSX, name=name) from None
    finally:
        wb.close()


def read_sheets(name: str, data: bytes) -> list[Sheet]:
    """The client, contact and licence sheets in one file; other sheets (instructions) are
    passed over. Refused when the file holds none, or a recognised sheet lacks a column."""
    name = (name or "").replace("\x00", "")[-100:] or _("未命名文件")
    if len(data) > MAX_BYTES:
        raise _refuse(
            gettext_noop("文件“%(name)s”超过 %(mb)d MB。"), name=name, mb=MAX_BYTES // 2**20
        )
    if data[:4] == b"PK\x03\x04":
        tables = _xlsx_rows(name, data)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise _refuse(_NOT_XLSX, name=name)
    else:
        tables = _csv_rows(name, data)
    sheets = []
    for title, rows in tables:
        if not rows:
            continue
        headers = list(rows[0])
        kind = detect_kind(headers)
        if kind is None:
            continue
        missing = missing_columns(kind, headers)
        if missing:
            raise ValidationFailed(
                gettext_noop("“%(sheet)s”缺少必填列：%(columns)s。"),
                field="file",
                params={"sheet": title, "columns": "、".join(_(m) for m in missing)},
            )
        sheets.append(Sheet(kind, title, headers, rows[1:]))
    if not sheets:
        raise _refuse(
            gettext_noop(
                "文件“%(name)s”中没有可识别的表头：请使用导入模板（第一行为列名，如“公司名称”“统一社会信用代码”）。"
            ),
            name=name,
        )
    return sheets
