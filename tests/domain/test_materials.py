"""Automatic material checks: real files made on the spot, real-shaped codes and numbers."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from expedite.catalog import load_wage_minimums
from expedite.domain.identifiers import (
    RESIDENT_ID_CHECK,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    resident_id_check_digit,
    uscc_check_character,
)
from expedite.domain.materials import (
    check_amounts_agree,
    check_fields,
    check_id_number,
    check_uscc,
    check_valid_until,
    check_wage_base,
    inspect_file,
    sniff_type,
)
from expedite.domain.phrases import render_value

MB = 1024 * 1024
TODAY = dt.date(2026, 11, 26)


def pdf_bytes(pages: int = 2) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(72, 720, f"page {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(1))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, format=fmt)
    return buf.getvalue()


def codes(findings):
    return [f.code for f in findings]


# -- files -------------------------------------------------------------------------------------


def test_a_real_pdf_is_recognised_with_its_page_count():
    facts, findings = inspect_file(pdf_bytes(3), name="决议.pdf", max_bytes=MB)
    assert (facts.kind, facts.pages, findings) == ("pdf", 3, [])
    assert facts.content_type == "application/pdf" and len(facts.sha256) == 64


def test_an_encrypted_pdf_is_flagged():
    _, findings = inspect_file(encrypted_pdf(), name="x.pdf", max_bytes=MB)
    assert codes(findings) == ["pdf_encrypted"]


def test_a_truncated_pdf_is_flagged_as_corrupt():
    content = pdf_bytes(2)
    _, findings = inspect_file(content[: len(content) // 3], name="x.pdf", max_bytes=MB)
    assert codes(findings) == ["pdf_corrupt"]


def test_a_jpeg_renamed_pdf_is_refused():
    _, findings = inspect_file(image_bytes((1200, 1600), "JPEG"), name="营业执照.pdf", max_bytes=MB)
    assert codes(findings) == ["type_mismatch"] and findings[0].refuse
    assert "内容却是 JPG" in findings[0].text


def test_a_type_the_catalog_does_not_accept_is_refused():
    _, findings = inspect_file(
        image_bytes((1200, 1600)), name="a.png", accepted=("pdf", "jpg"), max_bytes=MB
    )
    assert codes(findings) == ["type_not_accepted"] and findings[0].refuse


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 a zip", "unknown_type"),
        (b"%PDF-" + b"x" * 2 * MB, "too_large"),
    ],
)
def test_empty_unknown_and_oversized_files_are_refused(content, code):
    _, findings = inspect_file(content, name="a.pdf", max_bytes=MB)
    assert codes(findings) == [code] and findings[0].refuse


def test_a_tiny_photo_is_too_low_in_resolution_to_read():
    facts, findings = inspect_file(image_bytes((320, 240)), name="id.png", max_bytes=MB)
    assert (facts.width, facts.height) == (320, 240)
    assert codes(findings) == ["image_low_resolution"] and not findings[0].refuse


def test_a_phone_photo_passes():
    facts, findings = inspect_file(
        image_bytes((1080, 1440), "JPEG"), name="IMG_2041.JPG", max_bytes=MB
    )
    assert facts.kind == "jpg" and findings == []


def test_a_broken_image_is_flagged():
    content = image_bytes((1080, 1440))
    _, findings = inspect_file(content[:200], name="a.png", max_bytes=MB)
    assert codes(findings) == ["image_corrupt"]


def test_the_same_bytes_twice_are_a_duplicate():
    content = pdf_bytes(1)
    facts, _ = inspect_file(content, name="a.pdf", max_bytes=MB)
    _, findings = inspect_file(
        content, name="b.pdf", max_bytes=MB, seen={facts.sha256: "营业执照 v1"}
    )
    assert codes(findings) == ["duplicate"] and "营业执照 v1" in findings[0].text


def test_sniffing_ignores_the_name():
    assert sniff_type(image_bytes((10, 10))) == "png"
    assert sniff_type(b"GIF89a") is None


# -- identifiers -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91310115MA1K4TXT0" + "X"])
def test_credit_codes(code):
    valid = code[17] == uscc_check_character(code[:17])
    assert (check_uscc(code) == []) is valid


def test_a_credit_code_of_another_company_is_flagged():
    assert codes(check_uscc("91350100M000100Y43", expected="91310115MA1K4TXT0X")) == [
        "uscc_mismatch"
    ]
    assert codes(check_uscc("9135010")) == ["uscc_invalid"]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("11010519491231002X", None),  # the GB 11643-1999 example, check character X
        ("11010519491231002x", None),  # lower-case x as typed on a phone
        ("110105194912310021", "id_check_digit"),
        ("440524188001010014", "id_birth"),  # the standard's other example: born 1880
        ("110105194902300027", "id_birth"),  # 30 February
        ("990105199001010012", "id_region"),
        ("310199199001010013", "id_region"),  # 上海 has no county 99
        ("11010519491231002", "id_format"),
        ("1101051949123100A2", "id_format"),
    ],
)
def test_id_numbers(number, code):
    found = check_id_number(number, today=TODAY)
    assert codes(found) == ([code] if code else [])


def test_an_id_number_born_in_the_future_is_refused():
    first17 = "31010420300101001"
    number = first17 + resident_id_check_digit(first17)
    assert codes(check_id_number(number, today=TODAY)) == ["id_birth"]


@given(
    # Region codes in use today: 北京东城, 上海徐汇, 深圳南山, 乌鲁木齐天山, 昆山.
    st.sampled_from(["110101", "310104", "440305", "650102", "320583"]),
    st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31)),
    st.text("0123456789", min_size=3, max_size=3),
)
def test_every_id_number_with_its_check_digit_is_valid_and_any_other_is_not(region, born, seq):
    first17 = f"{region}{born:%Y%m%d}{seq}"
    good = first17 + resident_id_check_digit(first17)
    assert check_id_number(good, today=TODAY) == []
    for wrong in set(RESIDENT_ID_CHECK) - {good[17]}:
        assert codes(check_id_number(first17 + wrong, today=TODAY)) == ["id_check_digit"]


@given(
    st.sampled_from(USCC_AUTHORITIES),
    st.text("0123456789", min_size=7, max_size=7),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
    st.integers(0, 16),
    st.data(),
)
def test_changing_one_character_of_a_credit_code_breaks_its_check(
    authority, kind_and_region, body, pos, data
):
    first17 = authority + kind_and_region + body
    code = first17 + uscc_check_character(first17)
    assert check_uscc(code) == []
    other = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[pos]]))
    changed = code[:pos] + other + code[pos + 1 :]
    assert codes(check_uscc(changed)) == ["uscc_invalid"]


# -- dates, wage base, amounts -----------------------------------------------------------------


def test_dates_expired_expiring_and_fine():
    assert check_valid_until("2026-11-25", today=TODAY, within_days=30)[1] == "expired"
    found, state = check_valid_until("2026-12-16", today=TODAY, within_days=30)
    assert state == "expiring" and "20 天后" in found[0].text
    assert check_valid_until("2027-06-30", today=TODAY, within_days=30) == ([], "ok")
    assert check_valid_until("2026/13/01", today=TODAY, within_days=30)[1] == "invalid"


def test_a_wage_base_under_shanghai_2025_minimum_is_caught():
    table, spring = load_wage_minimums(), dt.date(2026, 3, 2)
    found = check_wage_base("6500", city="上海", on=spring, table=table)
    assert codes(found) == ["wage_base_below_minimum"]
    assert "低于上海 2025-07-01 至 2026-06-30 的最低缴费基数 7,460 元" in found[0].text
    assert check_wage_base("7460", city="上海", on=spring, table=table) == []
    # the previous year's limit applies to a declaration for June 2025
    assert check_wage_base("7400", city="上海", on=dt.date(2025, 6, 1), table=table) == []


def test_a_city_without_data_is_a_warning_that_its_limit_is_unknown():
    found = check_wage_base("5000", city="拉萨", on=TODAY, table=load_wage_minimums())
    assert codes(found) == ["wage_table_missing"] and found[0].severity == "warning"
    assert found[0].text == "拉萨的缴费基数下限在此没有记录，2026-11-26 适用的下限未知。"


def test_amounts_must_agree_across_documents():
    assert check_amounts_agree({"申报表": "8,000", "工资明细": Decimal("8000.00")}) == []
    found = check_amounts_agree({"申报表": "6500", "工资明细": "8000"})
    assert codes(found) == ["amounts_disagree"] and "申报表 6,500.00 元" in found[0].text
    # Stored as parts, so the reader's language names the documents and the currency.
    stored = found[0].as_json()["params"]["listing"]
    english = {"%(name)s %(amount)s 元": "%(name)s ¥%(amount)s"}
    said = render_value(
        stored, translate=lambda t: english.get(t, t), term=lambda t: f"EN:{t}", sep=", "
    )
    assert said == "EN:申报表 ¥6,500.00, EN:工资明细 ¥8,000.00"


def test_fields_are_checked_as_the_catalog_lists_them():
    found = check_fields(
        {"id_number": "110105194912310021", "date": "2026-12-16", "wage_base": "6500"},
        wanted=("id_number", "date"),
        today=TODAY,
        within_days=30,
    )
    assert codes(found) == ["id_check_digit", "expiring"]  # wage_base is not this item's field
