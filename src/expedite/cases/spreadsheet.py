"""Typed text in the spreadsheets the product writes: shown as text, never run as a formula.

A client name or an error description starting with `=` would otherwise be a live formula in
the KPI workbook (openpyxl stores such text as one), and a CSV field starting with `=`, `+`,
`-`, `@`, a tab or a CR is taken for one by Excel and LibreOffice when the file is opened
(OWASP, "CSV Injection"). Full-width signs count too: Chinese input methods type them.
"""

from __future__ import annotations

from collections.abc import Iterable

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
