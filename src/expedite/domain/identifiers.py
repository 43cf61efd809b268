"""Identifiers issued by Chinese authorities, validated offline.

The arithmetic and the table of region codes come from python-stdnum (`stdnum.cn`); the
rules on which characters may stand where, and the messages, are the product's own.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent

from .errors import ValidationFailed, gettext_noop


class IdentifierRefused(ValidationFailed):
    """An identifier broke one rule; `rule` names it for programs (a finding's code)."""

    def __init__(self, rule: str, message: str, *, field: str, params: dict | None = None) -> None:
        super().__init__(message, field=field, params=params)
        self.rule = rule


# -- 统一社会信用代码 ----------------------------------------------------------------------------

# GB 32100-2015《法人和其他组织统一社会信用代码编码规则》: 18 characters, the digits and the
# capital letters without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
# Position 1, the registration authority: 1–9, A (军队), N (农业: 农村集体经济组织), Y (其他).
# stdnum allows digits only there and would refuse the codes of rural collectives.
USCC_AUTHORITIES = "123456789ANY"


def uscc_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 for its first 17 (GB 32100-2015 §4.3)."""
    return uscc.calc_check_digit(first17)


def normalize_uscc(raw: str) -> str:
    """Return the canonical form of a 统一社会信用代码 or raise `IdentifierRefused`.

    Accepts surrounding spaces and lower case; checks the length, the characters allowed in
    each position (authority, a digit for the kind of organisation, six digits of the region)
    and the check character.
    """
    code = re.sub(r"\s+", "", raw or "").upper()

    def refuse(rule: str, message: str, **params) -> IdentifierRefused:
        return IdentifierRefused(rule, message, field="uscc", params=params)

    if len(code) != USCC_LENGTH:
        raise refuse(
            "uscc_length",
            gettext_noop("统一社会信用代码应为 18 位，当前为 %(length)d 位。"),
            length=len(code),
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise refuse(
            "uscc_characters",
            gettext_noop("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            chars="、".join(bad),
        )
    if code[0] not in USCC_AUTHORITIES:
        raise refuse(
            "uscc_characters",
            gettext_noop(
                "统一社会信用代码第 1 位（登记管理部门代码）不能是 %(char)s，"
                "应为数字 1–9 或 A、N、Y。"
            ),
            char=code[0],
        )
    letters = [str(i + 1) for i in range(1, 8) if not code[i].isdigit()]
    if letters:
        raise refuse(
            "uscc_characters",
            gettext_noop(
                "统一社会信用代码第 2–8 位（机构类别代码和登记管理机关行政区划码）应为数字，"
                "第 %(positions)s 位不是。"
            ),
            positions="、".join(letters),
        )
    if code[17] != uscc_check_character(code[:17]):
        raise refuse(
            "uscc_check",
            gettext_noop("统一社会信用代码校验位不正确，请核对是否抄错（GB 32100-2015）。"),
        )
    return code


# -- 居民身份证号码 ------------------------------------------------------------------------------

RESIDENT_ID_LENGTH = 18
RESIDENT_ID_CHECK = "10X98765432"  # GB 11643-1999: the check character for sum mod 11
# 台湾居民居住证 numbers start with 830000 (港澳台居民居住证申领发放办法, 2018); stdnum's table
# knows 810000 and 820000 but not this one.
_PERMIT_REGIONS = frozenset({"830000"})
_COUNTY_YEARS = re.compile(r"^(?:\[(\d*)-(\d*)\])?")


def resident_id_check_digit(first17: str) -> str:
    """The 18th character of a 公民身份号码 for its first 17 (GB 11643-1999)."""
    # stdnum takes the whole number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def _region_last_year(code: str) -> int | None:
    """The last year a region code was in use, None if it still is; `LookupError` if it is
    not a GB/T 2260 code at all."""
    if code in _PERMIT_REGIONS:
        return None
    found = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    if "county" not in found:
        raise LookupError(code)
    # "[-1991]东郊区,[1992-]东丽区": one entry per name the code has had, with its years.
    ends = [_COUNTY_YEARS.match(entry).group(2) for entry in found["county"].split(",")]
    return None if not all(ends) else max(int(end) for end in ends)


def normalize_resident_id(raw: str, *, today: dt.date) -> str:
    """Return a 居民身份证号码 in canonical form (capital X) or raise `IdentifierRefused`.

    Checks the length, digits in the first 17 places, the region code (the first 6) against
    the table of GB/T 2260 codes, the birth date and the check digit.
    """
    number = re.sub(r"\s+", "", raw or "").upper()

    def refuse(rule: str, message: str, **params) -> IdentifierRefused:
        return IdentifierRefused(rule, message, field="id_number", params=params)

    if len(number) != RESIDENT_ID_LENGTH:
        raise refuse(
            "id_format",
            gettext_noop("身份证号码应为 18 位，当前为 %(length)d 位。"),
            length=len(number),
        )
    if not (number[:17].isdigit() and number[:17].isascii() and number[17] in "0123456789X"):
        raise refuse(
            "id_format",
            gettext_noop("身份证号码前 17 位应为数字，最后一位为数字或 X，当前为“%(v)s”。"),
            v=number,
        )
    region = number[:6]
    try:
        last_year = _region_last_year(region)
    except LookupError:
        raise refuse(
            "id_region",
            gettext_noop("身份证号码前 6 位 %(code)s 不是已知的行政区划代码（区划代码）。"),
            code=region,
        ) from None
    try:
        born = ric.get_birth_date(number)
    except InvalidComponent:
        raise refuse(
            "id_birth",
            gettext_noop("身份证号码中的出生日期 %(d)s 不存在。"),
            d=number[6:14],
        ) from None
    if born > today:
        raise refuse(
            "id_birth",
            gettext_noop("身份证号码中的出生日期 %(d)s 晚于今天。"),
            d=number[6:14],
        )
    if born.year < 1900:
        raise refuse(
            "id_birth",
            gettext_noop("身份证号码中的出生日期 %(d)s 早于 1900 年，不合理。"),
            d=number[6:14],
        )
    # A code is given when the number is first issued, which may be years after the birth
    # (stdnum refuses those, e.g. 310115 浦东新区 for anyone born before 1992); but no one born
    # after a region was abolished can have been registered under it.
    if last_year is not None and born.year > last_year:
        raise refuse(
            "id_region",
            gettext_noop(
                "身份证号码前 6 位 %(code)s 是只用到 %(year)s 年的区划代码，"
                "%(born)s 年出生的人不会有这个代码。"
            ),
            code=region,
            year=last_year,
            born=born.year,
        )
    if number[17] != resident_id_check_digit(number[:17]):
        raise refuse(
            "id_check_digit",
            gettext_noop("身份证号码校验位不正确，请核对是否抄错（GB 11643-1999）。"),
        )
    return number


# -- telephone ---------------------------------------------------------------------------------

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
