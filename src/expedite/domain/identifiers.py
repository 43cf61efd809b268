"""Identifiers issued by Chinese authorities, validated offline."""

from __future__ import annotations

import re

from .errors import ValidationFailed, gettext_noop

# GB 32100-2015《法人和其他组织统一社会信用代码编码规则》: 31 characters,
# the digits and the capital letters without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18


def uscc_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 for its first 17 (GB 32100-2015 §4.3)."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(raw: str) -> str:
    """Return the canonical form of a 统一社会信用代码 or raise `ValidationFailed`.

    Accepts surrounding spaces and lower case; checks length, alphabet and the
    GB 32100-2015 check character.
    """
    code = (raw or "").strip().upper()
    if len(code) != USCC_LENGTH:
        raise ValidationFailed(
            gettext_noop("统一社会信用代码应为 18 位，当前为 %(length)d 位。"),
            field="uscc",
            params={"length": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationFailed(
            gettext_noop("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            field="uscc",
            params={"chars": "、".join(bad)},
        )
    if code[17] != uscc_check_character(code[:17]):
        raise ValidationFailed(
            gettext_noop("统一社会信用代码校验位不正确，请核对是否抄错（GB 32100-2015）。"),
            field="uscc",
        )
    return code


_PHONE_RE = re.compile(r"^(?:\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def normalize_phone(raw: str) -> str:
    """A mainland mobile (11 digits, 1[3-9]…) or landline (0AA-NNNNNNN); spaces removed."""
    phone = re.sub(r"\s+", "", raw or "")
    if not _PHONE_RE.match(phone):
        raise ValidationFailed(
            gettext_noop("手机号或电话格式不正确（例如 13800138000 或 021-12345678）。"),
            field="phone",
        )
    return phone
