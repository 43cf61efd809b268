import pytest
from hypothesis import given
from hypothesis import strategies as st

from expedite.domain.errors import ValidationFailed
from expedite.domain.identifiers import (
    USCC_ALPHABET,
    normalize_phone,
    normalize_uscc,
    uscc_check_character,
)


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


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_every_code_with_its_computed_check_character_is_valid(first17):
    assert normalize_uscc(
        first17 + uscc_check_character(first17)
    ) == first17 + uscc_check_character(first17)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17), st.sampled_from(USCC_ALPHABET))
def test_any_other_check_character_is_refused(first17, last):
    if last == uscc_check_character(first17):
        return
    with pytest.raises(ValidationFailed):
        normalize_uscc(first17 + last)


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
