"""Optional OCR assist: read a scan's text and propose the credit code and dates.

Installed with `pip install expedite[ocr]` (rapidocr-onnxruntime: offline, ships its own
models). Without it `read_text` returns "" and nothing else changes. Proposals are only
prefills: the automatic checks and the reviewer still judge what is entered.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from expedite.domain.identifiers import USCC_ALPHABET, uscc_check_character

_USCC = re.compile(rf"[{USCC_ALPHABET}]{{18}}")
_DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _engine():
    # An optional extra: present only where OCR is installed.
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def read_text(content: bytes) -> str:
    """The text lines of an image, top to bottom; "" when OCR is not installed or finds none."""
    if not available():
        return ""
    result, _elapsed = _engine()(content)
    return "\n".join(line[1] for line in result or [])


def suggest_fields(text: str) -> dict[str, object]:
    """A credit code whose check character holds, and the dates found (the last is usually the
    expiry on licences and ID cards: 有效期限 2016.03.01-2036.03.01)."""
    compact = re.sub(r"\s+", "", text.upper())
    suggestions: dict[str, object] = {}
    for candidate in _USCC.findall(compact):
        if candidate[17] == uscc_check_character(candidate[:17]):
            suggestions["uscc"] = candidate
            break
    dates = []
    for y, m, d in _DATE.findall(text):
        try:
            dates.append(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    if dates:
        suggestions["dates"] = dates
        suggestions["date"] = dates[-1].isoformat()
    return suggestions
