"""Small text helpers of the domain core."""


def test_an_id_is_ascii_digits_or_nothing():
    from expedite.domain.text import parse_id

    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    for bad in ("", None, "²", "٣", "4x", "-1", "1" * 19):
        assert parse_id(bad) is None, bad
