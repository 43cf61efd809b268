"""OCR assist: the parsing always runs; reading an image runs only with the `ocr` extra."""

import datetime as dt
import io

import pytest
from PIL import Image, ImageDraw

from expedite.materials import ocr
from tests.conftest import make_uscc


def test_a_valid_credit_code_and_the_dates_are_proposed_from_the_text():
    code = make_uscc("91310115MA1K4TXT0")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    text = f"营业执照\n统一社会信用代码 {wrong}\n代码 {code}\n成立日期 2019年5月8日\n有效期限 2016.03.01-2036.03.01"
    found = ocr.suggest_fields(text)
    assert found["uscc"] == code
    assert found["dates"] == [dt.date(2019, 5, 8), dt.date(2016, 3, 1), dt.date(2036, 3, 1)]
    assert found["date"] == "2036-03-01"


def test_nothing_is_proposed_from_text_without_codes_or_dates():
    assert ocr.suggest_fields("股东会决议 全体股东签字") == {}


@pytest.mark.skipif(
    not ocr.available(), reason="the ocr extra (rapidocr-onnxruntime) is not installed"
)
def test_the_text_of_an_image_is_read():
    image = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(image).text((20, 80), "2036-03-01", fill="black", font_size=60)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    assert "2036" in ocr.read_text(buf.getvalue())
