"""The import's reading of a spreadsheet row: which sheet, which column, which date."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expedite.domain.identifiers import uscc_check_character
from expedite.domain.imports import (
    SheetKind,
    cell_text,
    check_sheet,
    detect_kind,
    header_map,
    missing_columns,
    parse_date,
)

CODE = "91310101MA1FPX0A0" + uscc_check_character("91310101MA1FPX0A0")


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["公司名称*", "统一社会信用代码*", "联系人"], SheetKind.CLIENTS),
        (["Company name", "Credit code"], SheetKind.CLIENTS),
        (["统一社会信用代码", "联系人", "手机号"], SheetKind.CONTACTS),
        (["信用代码", "证照类别", "证照名称", "有效期至"], SheetKind.CREDENTIALS),
        (["填写说明"], None),
        ([], None),
    ],
)
def test_a_sheet_is_known_by_its_headers(headers, kind):
    assert detect_kind(headers) is kind


def test_required_columns_are_named_when_missing():
    assert missing_columns(SheetKind.CLIENTS, ["公司名称", "手机号"]) == ["统一社会信用代码"]
    assert header_map(SheetKind.CLIENTS, [" 公司名称 ", None, "电话"]) == {"name": 0, "phone": 2}


@pytest.mark.parametrize(
    ("cell", "date"),
    [
        ("2027-03-31", dt.date(2027, 3, 31)),
        ("2027/3/1", dt.date(2027, 3, 1)),
        ("2027.03.01", dt.date(2027, 3, 1)),
        ("2027年3月1日", dt.date(2027, 3, 1)),
        (dt.datetime(2027, 3, 1, 0, 0), dt.date(2027, 3, 1)),
        (46477, dt.date(2027, 3, 31)),  # an Excel serial in a number cell
        ("长期", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_as_people_write_them(cell, date):
    assert parse_date(cell) == date


@pytest.mark.parametrize("cell", ["明年", "2027-02-30", "3/31/2027", 12, 1e12, "2027-13-01"])
def test_what_is_not_a_date_is_refused(cell):
    with pytest.raises(ValueError):
        parse_date(cell)


def test_numbers_read_as_typed():
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(13800138000) == "13800138000"


@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers()), max_size=9)))
def test_any_rows_give_problems_not_crashes(rows):
    headers = ["公司名称", "统一社会信用代码", "客户价值等级", "备注", "联系人", "职务", "手机号"]
    for row in check_sheet(SheetKind.CLIENTS, headers, rows):
        assert row.ok or row.problems


def test_a_repeated_company_is_refused_on_its_second_row():
    headers = ["公司名称", "统一社会信用代码", "联系人", "手机号"]
    rows = [["甲", CODE, "王一", "13800138000"], [], ["乙", CODE.lower(), "王二", "13800138001"]]
    first, second = check_sheet(SheetKind.CLIENTS, headers, rows)
    assert first.ok
    assert (second.number, second.problems[0].params) == (4, {"row": 2})
