"""Typed text in the spreadsheets the product writes: shown as text, never run as a formula.

A client name or an error description starting with `=` would otherwise be a live formula in
the KPI workbook (openpyxl stores such text as one), and a CSV field starting with `=`, `+`,
`-`, `@`, a tab or a CR is taken for one by Excel and LibreOffice when the file is opened
(OWASP, "CSV Injection"). Full-width signs count too: Chinese input methods type them.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from urllib.parse import quote

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_text(value):
    """A CSV field: text a spreadsheet would take for a formula gets a leading apostrophe (the
    spreadsheet's own "this is text" mark); numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def append_row(ws, values: Iterable) -> None:
    """`ws.append(values)` with every text cell typed as a string, kept exactly as typed:
    openpyxl would store text starting with `=` as a formula and `#N/A` as an error."""
    # openpyxl (with numpy) weighs ~37 MB resident; CSV writers need none of it.
    from openpyxl.cell import Cell

    cells = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(ws, value=value)
            cell.data_type = "s"
            value = cell
        cells.append(value)
    ws.append(cells)


# A list exported to a spreadsheet stops here; the sheet says so when it does.
EXPORT_ROW_LIMIT = 20_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_name(name: str) -> str:
    """A Content-Disposition value: an ASCII fallback and the name itself (RFC 6266/5987),
    so a Chinese file name arrives intact."""
    fallback = name.encode("ascii", "ignore").decode().strip("-_ ") or "export.xlsx"
    if not fallback.endswith(".xlsx"):
        fallback = f"export{fallback}" if fallback.startswith(".") else "export.xlsx"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def list_workbook(
    *, title: str, head: list[str], rows: Iterable[list], widths: list[int], capped_note: str
) -> bytes:
    """One sheet: a bold, frozen header row, the rows (at most EXPORT_ROW_LIMIT, then
    `capped_note` in a last row), date cells shown as dates."""
    # openpyxl weighs ~37 MB resident: loaded by the process that exports, when it does.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    append_row(ws, head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = width
    for count, row in enumerate(rows):
        if count == EXPORT_ROW_LIMIT:
            append_row(ws, [capped_note])
            break
        append_row(ws, row)
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
