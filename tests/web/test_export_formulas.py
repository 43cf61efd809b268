"""Typed text in the spreadsheets the product writes is text: a spreadsheet never runs it as a
formula (CSV / formula injection), and figures stay figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from expedite.cases.costs import cost_entry_add
from expedite.cases.models import Client
from expedite.kpi.models import DeliveryError
from expedite.records.evidence import case_evidence
from tests.conftest import PASSWORD
from tests.factories import new_case
from tests.web.kpi_helpers import at, kpi_history

FORMULAS = [
    '=HYPERLINK("http://127.0.0.1/steal","点此查看")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "#N/A",
]


@pytest.mark.django_db
def test_typed_text_in_the_kpi_workbook_is_stored_as_text(world, client):
    cases = kpi_history(world)
    name = "=cmd|' /C calc'!A0 恒信"
    Client.objects.filter(pk=world.hengxin.pk).update(name=name)
    for text in FORMULAS:
        DeliveryError.objects.create(
            case=cases["b"], found_on=dt.date(2026, 3, 26), description=text, remedy=text,
            recorded_by=world.zhang, recorded_at=at(3, 26),
        )  # fmt: skip
    client.login(username="chen", password=PASSWORD)
    response = client.get(
        reverse("kpi_export"), {"from": "2026-03", "to": "2026-04", "client": world.hengxin.pk}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))

    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
    filters = {row[0].value: row[1] for row in book["筛选条件"].iter_rows()}
    assert filters["客户"].value == name and filters["客户"].data_type == "s"
    errors = list(book["交付后差错"].iter_rows(min_row=2))
    typed = [(r[1].value, r[3].value, r[4].value) for r in errors]
    assert sorted(t for t in typed if t[1] in FORMULAS) == sorted((name, f, f) for f in FORMULAS)
    # Figures stay figures.
    march = next(book["月度指标"].iter_rows(min_row=2))
    assert (march[1].value, march[1].data_type) == (1, "n")


@pytest.mark.django_db(transaction=True)
def test_typed_text_in_the_evidence_cost_ledger_cannot_run_as_a_formula(world):
    case = new_case(
        world,
        client=world.acme,
        service="labor-dispatch-license",
        deadline=timezone.localdate() + dt.timedelta(days=30),
        reason="签约",
    )
    # A cost note is one trimmed line: no leading tab or CR survives the form.
    notes = [f for f in FORMULAS if f == f.strip() and f != "#N/A"]
    for n, text in enumerate(notes):
        cost_entry_add(
            actor=world.li,
            case=case,
            kind="third_party",
            description=text,
            amount=-(n + 1),  # corrections are negative amounts: numbers, left as they are
            day=timezone.localdate(),
        )
    _name, data = case_evidence(actor=world.zhang, case=case)
    raw = zipfile.ZipFile(io.BytesIO(data)).read("costs.csv").decode()
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert sorted(r["description"] for r in rows) == sorted(f"'{text}" for text in notes)
    assert sorted(float(r["amount"]) for r in rows) == [-n for n in range(len(notes), 0, -1)]
