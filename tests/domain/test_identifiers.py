import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from expedite.domain.errors import ValidationFailed
from expedite.domain.identifiers import (
    RESIDENT_ID_CHECK,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    IdentifierRefused,
    normalize_phone,
    normalize_resident_id,
    normalize_uscc,
    resident_id_check_digit,
    uscc_check_character,
)

TODAY = dt.date(2026, 11, 26)
DIGITS = "0123456789"

# A well-formed first 17: authority, a digit for the kind, six region digits, nine of the rest.
first17s = st.builds(
    lambda a, kind, rest: a + kind + rest,
    st.sampled_from(USCC_AUTHORITIES),
    st.text(DIGITS, min_size=7, max_size=7),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


def with_check(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def refused_rule(code: str) -> str:
    with pytest.raises(IdentifierRefused) as info:
        normalize_uscc(code)
    assert info.value.field == "uscc"
    return info.value.rule


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_credit_codes_are_accepted(code):
    assert normalize_uscc(code) == code


def test_credit_code_is_normalized_to_upper_case_without_spaces():
    assert normalize_uscc("  91350100m000100y43 ") == "91350100M000100Y43"


def test_a_changed_check_character_is_refused_with_the_standard_named():
    with pytest.raises(ValidationFailed, match="GB 32100-2015") as info:
        normalize_uscc("91350100M000100Y44")
    assert info.value.field == "uscc"


def test_wrong_length_says_how_long_it_was():
    with pytest.raises(ValidationFailed, match="当前为 17 位"):
        normalize_uscc("91350100M000100Y4")


def test_letters_outside_the_alphabet_are_named():
    with pytest.raises(ValidationFailed, match="I、O"):
        normalize_uscc("9135010OM000100YI3")


def test_a_credit_code_with_a_letter_in_the_registration_authority_position_is_refused():
    code = with_check("B1350100M000100Y4")
    assert refused_rule(code) == "uscc_characters"
    with pytest.raises(ValidationFailed, match="第 1 位（登记管理部门代码）不能是 B"):
        normalize_uscc(code)
    assert refused_rule(with_check("01350100M000100Y4")) == "uscc_characters"


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_a_credit_code_from_an_authority_with_a_letter_is_accepted(authority):
    # GB 32100-2015: A 中央军委改革和编制办公室, N 农业 (农村集体经济组织), Y 其他.
    code = with_check(f"{authority}2350100MA00100Y4")
    assert normalize_uscc(code) == code


def test_a_credit_code_with_a_letter_in_the_organisation_kind_position_is_refused():
    with pytest.raises(ValidationFailed, match="第 2 位不是"):
        normalize_uscc(with_check("9A350100M000100Y4"))


def test_a_credit_code_with_a_letter_in_the_region_code_is_refused():
    code = with_check("913501A0M000100Y4")
    assert refused_rule(code) == "uscc_characters"
    with pytest.raises(ValidationFailed, match="第 7 位不是"):
        normalize_uscc(code)


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    assert refused_rule("91350100M000100Y44") == "uscc_check"
    assert refused_rule("91350100M000100Y4") == "uscc_length"


@given(first17s)
def test_every_code_with_its_computed_check_character_is_valid(first17):
    assert normalize_uscc(with_check(first17)) == with_check(first17)


@given(first17s, st.sampled_from(USCC_ALPHABET))
def test_any_other_check_character_is_refused(first17, last):
    if last == uscc_check_character(first17):
        return
    assert refused_rule(first17 + last) == "uscc_check"


@given(st.sampled_from("123456789"), st.text(USCC_ALPHABET, min_size=17, max_size=17))
def test_a_code_whose_authority_is_a_digit_is_judged_as_stdnum_judges_it(first, rest):
    # 0 is no authority (stdnum lets it pass); A, N and Y are, and stdnum refuses them.
    code = first + rest
    try:
        normalize_uscc(code)
    except IdentifierRefused:
        accepted = False
    else:
        accepted = True
    assert accepted is uscc.is_valid(code)


@given(st.text(USCC_ALPHABET, min_size=17, max_size=17))
def test_the_check_character_follows_the_standards_weights(first17):
    # GB 32100-2015 §4.3: weights 3^(i-1) mod 31, check = 31 − (sum mod 31), 31 written 0.
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, weights, strict=True))
    assert uscc_check_character(first17) == USCC_ALPHABET[(31 - total % 31) % 31]


# -- 居民身份证号码 ------------------------------------------------------------------------------


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


def refused_id(number: str) -> IdentifierRefused:
    with pytest.raises(IdentifierRefused) as info:
        normalize_resident_id(number, today=TODAY)
    assert info.value.field == "id_number"
    return info.value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),  # GB 11643-1999's example
        ("110105 19491231 002x", "11010519491231002X"),
        ("360426199101010071", "360426199101010071"),
    ],
)
def test_a_resident_id_is_accepted_in_canonical_form(raw, expected):
    assert normalize_resident_id(raw, today=TODAY) == expected


def test_a_resident_id_of_the_wrong_length_says_how_long_it_was():
    refused = refused_id("11010519491231002")
    assert refused.rule == "id_format" and "当前为 17 位" in refused.message


def test_a_resident_id_with_a_letter_before_the_check_digit_is_refused():
    assert refused_id("1101051949123100A2").rule == "id_format"


def test_a_resident_id_with_an_unknown_province_code_is_refused():
    refused = refused_id(resident_id("99010519900101001"))
    assert refused.rule == "id_region" and "990105" in refused.message


def test_a_resident_id_with_an_unknown_county_code_is_refused():
    # 上海 exists, its county 99 does not: the province alone is not enough.
    refused = refused_id(resident_id("31019919900101001"))
    assert refused.rule == "id_region" and "310199" in refused.message


def test_a_resident_id_from_a_region_abolished_before_the_birth_is_refused():
    # 110103 崇文区 was merged into 东城区 in 2010.
    refused = refused_id(resident_id("11010320150101001"))
    assert refused.rule == "id_region" and "只用到 2010 年" in refused.message
    assert normalize_resident_id(resident_id("11010319800101001"), today=TODAY)


def test_a_resident_id_under_a_region_code_newer_than_the_birth_is_accepted():
    # Numbers are given when first issued: 310115 浦东新区 (1992) for someone born in 1985.
    number = resident_id("31011519850315242")
    assert normalize_resident_id(number, today=TODAY) == number


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_hong_kong_macao_and_taiwan_residence_permit_numbers_are_accepted(region):
    number = resident_id(f"{region}19900101001")
    assert normalize_resident_id(number, today=TODAY) == number


@pytest.mark.parametrize(
    ("first17", "says"),
    [
        ("11010519490230002", "19490230 不存在"),  # 30 February
        ("11010520300101001", "晚于今天"),
        ("44052418800101001", "早于 1900 年"),
    ],
)
def test_a_resident_id_with_an_impossible_birth_date_is_refused(first17, says):
    refused = refused_id(resident_id(first17))
    assert refused.rule == "id_birth" and says in refused.message


def test_a_resident_id_with_a_wrong_check_digit_is_refused():
    refused = refused_id("110105194912310021")
    assert refused.rule == "id_check_digit" and "GB 11643-1999" in refused.message


@given(st.text(DIGITS, min_size=17, max_size=17))
def test_the_check_digit_follows_the_standards_weights(first17):
    # GB 11643-1999: weights 2^(17-i) mod 11, the sum mod 11 written 1 0 X 9 8 … 2.
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    total = sum(int(ch) * w for ch, w in zip(first17, weights, strict=True))
    assert resident_id_check_digit(first17) == RESIDENT_ID_CHECK[total % 11]


# -- telephone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 0013 8000", "13800138000"),
        ("021-12345678", "021-12345678"),
        ("+8613800138000", "+8613800138000"),
    ],
)
def test_mainland_phone_numbers_are_accepted(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "1380013800", "abc", "23800138000"])
def test_malformed_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationFailed, match="手机号"):
        normalize_phone(raw)
