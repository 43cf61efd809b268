"""The suite's clock: every test runs at a pinned instant, and the product's clock refuses to
answer without one, so no test can depend on the hour it happens to run at."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from expedite import clock as product_clock
from expedite.domain.calendar import SHANGHAI
from tests.conftest import suite_instant


def test_every_test_runs_at_the_suites_pinned_instant():
    assert abs(product_clock.now() - suite_instant()) < dt.timedelta(minutes=1)
    # Django's clock and Python's agree with the product's: one instant for everything.
    assert abs(timezone.now() - product_clock.now()) < dt.timedelta(seconds=5)
    assert product_clock.today() == suite_instant().astimezone(SHANGHAI).date()
    assert timezone.localdate() == product_clock.today()


@pytest.mark.clock("2026-12-31T23:30:00+08:00")
def test_a_test_about_a_particular_instant_pins_its_own():
    assert product_clock.today() == dt.date(2026, 12, 31)
    # 15:30 UTC is still the 31st in UTC, but 00:30 in Shanghai is already the new year.
    assert product_clock.local_now().hour == 23


def test_the_clock_moves_only_when_told(clock):
    before = product_clock.today()
    clock.shift(dt.timedelta(days=1))
    assert product_clock.today() == before + dt.timedelta(days=1)


@pytest.mark.real_clock
def test_the_product_clock_refuses_an_unpinned_instant_in_the_suite():
    # This test runs on the machine's clock, so it can show what every other test is spared.
    assert not time_machine.escape_hatch.is_travelling()
    product_clock.require_pinned(time_machine.escape_hatch.is_travelling)
    try:
        with pytest.raises(product_clock.UnpinnedClock):
            product_clock.now()
        with pytest.raises(product_clock.UnpinnedClock):
            product_clock.today()
        with time_machine.travel(suite_instant()):
            assert product_clock.now() == suite_instant()
    finally:
        product_clock.require_pinned(None)
