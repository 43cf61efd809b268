"""Free text from people: trimmed, bounded, and free of control characters.

PostgreSQL refuses NUL in text; other control characters are never meant. Over-long input
is refused with its limit named, never silently cut.
"""

from __future__ import annotations

import re

from .errors import ValidationFailed, gettext_noop

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control(text: str) -> bool:
    """Whether `text` holds an invisible control character (NUL included); tab and newlines
    are text."""
    return _CONTROL.search(text) is not None


def clean_text(
    raw: str | None, *, field: str, label: str, max_length: int, required: bool = True
) -> str:
    """`label` names the field in the message (Chinese; translated at the edge with it)."""
    text = (raw or "").strip()
    if required and not text:
        raise ValidationFailed(
            gettext_noop("请填写%(label)s。"), field=field, params={"label": label}
        )
    if _CONTROL.search(text):
        raise ValidationFailed(
            gettext_noop("%(label)s含有不可见的控制字符，请删除后重试。"),
            field=field,
            params={"label": label},
        )
    if len(text) > max_length:
        raise ValidationFailed(
            gettext_noop("%(label)s不能超过 %(max)d 个字符（现为 %(length)d 个）。"),
            field=field,
            params={"label": label, "max": max_length, "length": len(text)},
        )
    return text


def clean_query(raw: str | None, *, max_length: int = 100) -> str:
    """A search box: control characters dropped, length capped (searching never fails)."""
    return _CONTROL.sub("", raw or "").strip()[:max_length]


def parse_id(raw: str | None) -> int | None:
    """A row id as a form or URL sends it, or None. Only ASCII digits: "²" and "٣" pass
    `str.isdigit` but `int()` refuses the first, so checking isdigit alone turns bad input
    into a server error."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
