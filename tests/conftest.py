"""One shared world for the tests: a firm with each role, two clients, and an outsider.

- zhang (liaison) opens clients and cases; li (process), wang (risk), zhao (supervisor),
  chen (manager) and liu (general manager) work on them; root is the administrator.
- outsider has an account but no role in the firm and sees nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from expedite.domain.identifiers import uscc_check_character
from expedite.domain.roles import Role

PASSWORD = "correct-horse-battery"


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
    from django.contrib.auth.models import Group, User

    def _make(username: str, role: Role | None = None, **extra) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, **extra)
        if role is not None:
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        return user

    return _make


@pytest.fixture
def world(db, catalog, make_user):
    from expedite.cases.services import ContactInput, client_create

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
    w.acme = client_create(
        actor=w.zhang,
        name="上海鲜达电子商务有限公司",
        uscc=make_uscc("91310115MA1K4TXT0"),
        value_tier="key",
        contacts=[ContactInput(name="周婷", phone="13816220001")],
    )
    w.hengxin = client_create(
        actor=w.zhang,
        name="苏州恒信建设工程有限公司",
        uscc=make_uscc("91320506MA1N7TXT1"),
        value_tier="strategic",
        contacts=[ContactInput(name="吴刚", email="wugang@hengxin.example")],
    )
    w.today = dt.date(2026, 11, 26)
    return w
