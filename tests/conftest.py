"""One shared world for the tests: a firm with each role, two clients, and an outsider.

- zhang (liaison) opens clients and cases; li (process), wang (risk), zhao (supervisor),
  chen (manager) and liu (general manager) work on them; root is the administrator.
- outsider has an account but no role in the firm and sees nothing.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine

from expedite import clock as product_clock
from expedite.domain.calendar import SHANGHAI
from expedite.domain.identifiers import uscc_check_character
from expedite.domain.roles import Role

PASSWORD = "correct-horse-battery"

# The instant every test runs at unless it pins its own: a Thursday morning. CI runs the suite
# again with EXPEDITE_TEST_NOW at instants that have broken things before (a Friday evening, a
# Saturday, New Year's Eve, the eve of the Spring Festival break).
DEFAULT_INSTANT = "2026-11-26T10:00:00+08:00"


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def suite_instant() -> dt.datetime:
    """The instant the suite is pinned to (EXPEDITE_TEST_NOW, else a fixed Thursday morning)."""
    return _instant(os.environ.get("EXPEDITE_TEST_NOW") or DEFAULT_INSTANT)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "clock(instant): run this test at its own ISO instant, not the suite's"
    )
    config.addinivalue_line(
        "markers", "real_clock: this test needs the machine's real clock (says why)"
    )
    # Here, not beside the fixture (tests/web/conftest.py): the browser tests import helpers
    # that build this mark.
    config.addinivalue_line(
        "markers",
        "case(build=None, **spec): the case the web tests' `case` fixture starts from: "
        "`build(world, **rest)`, or tests.factories.case_along(world, **spec) with `client` "
        "a name in the world",
    )
    # Reading the clock without a pinned instant fails: no test may depend on the hour.
    product_clock.require_pinned(time_machine.escape_hatch.is_travelling)


def pytest_report_header(config):
    return f"clock pinned at {suite_instant().isoformat()} unless a test pins its own"


def to_working_time(traveller) -> dt.datetime:
    """Move a pinned clock on to working time if it is not there (for a test of what happens on
    a working day, such as sending the day's report): the pinned instant may be a Saturday."""
    from expedite.workdays.selectors import firm_calendar

    cal, now = firm_calendar(), product_clock.now()
    if not cal.is_working_time(now):
        now = cal.at_work_clock(cal.work_clock(now), starting=True)
        traveller.move_to(now)
    return now


@pytest.fixture(autouse=True)
def clock(request):
    """Pins the instant (time-machine: Python's every clock, Django's too) for the test.

    Time ticks on from the pinned instant, so timeouts and rate limits behave; `clock.shift()`
    and `clock.move_to()` move it. `pytest.mark.clock("…")` pins a test to its own instant;
    `pytest.mark.real_clock` leaves the machine's clock (and lifts the pin requirement).
    """
    if request.node.get_closest_marker("real_clock"):
        product_clock.require_pinned(None)
        try:
            yield None
        finally:
            product_clock.require_pinned(time_machine.escape_hatch.is_travelling)
        return
    marker = request.node.get_closest_marker("clock")
    instant = _instant(marker.args[0]) if marker else suite_instant()
    with time_machine.travel(instant, tick=True) as traveller:
        yield traveller


def make_uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def _reseed_data_migrations() -> None:
    """A transactional test ends with a flush, which also removes rows that data migrations
    wrote (the firm's schedule, the approval matrix); later tests need them back."""
    import importlib

    from django.apps import apps

    for module, function in (
        ("expedite.workdays.migrations.0002_firm_schedule", "create_firm_schedule"),
        ("expedite.approvals.migrations.0002_firm_defaults", "seed"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache, parsed catalogs in the planner's; each test
    starts with neither."""
    from django.core.cache import cache

    from expedite.cases import plans

    # Parsed catalogs are kept per version id; a rolled-back test frees ids the next one reuses.
    plans._cache.clear()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalog(db):
    from expedite.cases.services import catalog_sync
    from expedite.catalog import default_catalog_text, load_default_catalog

    _reseed_data_migrations()
    catalog_sync(catalog=load_default_catalog(), text=default_catalog_text(), source="test")


@pytest.fixture
def make_user(db):
    from tests.factories import UserFactory

    def _make(username: str, role: Role | None = None, **extra):
        return UserFactory(username=username, role=role, **extra)

    return _make


@pytest.fixture
def world(db, catalog, make_user):
    from expedite.cases.services import ContactInput
    from tests.factories import ClientFactory

    class World:
        pass

    w = World()
    w.zhang = make_user("zhang", Role.LIAISON, first_name="敏", last_name="张")
    w.li = make_user("li", Role.PROCESS)
    w.wang = make_user("wang", Role.RISK)
    w.zhao = make_user("zhao", Role.SUPERVISOR)
    w.chen = make_user("chen", Role.MANAGER)
    w.liu = make_user("liu", Role.GENERAL_MANAGER)
    w.root = make_user("root", is_superuser=True, is_staff=True)
    w.outsider = make_user("outsider")
    w.acme = ClientFactory(
        actor=w.zhang,
        name="上海鲜达电子商务有限公司",
        uscc=make_uscc("91310115MA1K4TXT0"),
        value_tier="key",
        contacts=[ContactInput(name="周婷", phone="13816220001")],
    )
    w.hengxin = ClientFactory(
        actor=w.zhang,
        name="苏州恒信建设工程有限公司",
        uscc=make_uscc("91320506MA1N7TXT1"),
        value_tier="strategic",
        contacts=[ContactInput(name="吴刚", email="wugang@hengxin.example")],
    )
    w.now = product_clock.now()
    w.today = product_clock.today()
    return w
