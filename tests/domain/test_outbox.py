import datetime as dt

import pytest

from expedite.domain.outbox import message_id, retry_delay


def test_the_retry_delay_doubles_from_one_minute_and_stops_at_an_hour():
    minutes = [retry_delay(n) / dt.timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry_delay(10_000) == dt.timedelta(minutes=60)


def test_there_is_no_zeroth_attempt():
    with pytest.raises(ValueError):
        retry_delay(0)


def test_the_message_id_depends_on_the_key_only():
    a = message_id("report:case-1:2026-11-26", "firm.example")
    assert a == message_id("report:case-1:2026-11-26", "firm.example")
    assert a != message_id("report:case-1:2026-11-27", "firm.example")
    assert a.startswith("<") and a.endswith("@firm.example>")
