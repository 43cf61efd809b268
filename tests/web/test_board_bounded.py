"""The board costs what it shows: each section lists its first rows and says how many more,
the firm's running cases page on, and the load section is drawn on its own request."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from expedite.cases.models import Case
from expedite.desk import board as board_module
from expedite.monitoring.models import RiskWarning
from expedite.monitoring.watch import warnings_scan
from expedite.ops.scale import scale_load
from expedite.work.selectors import ACTIVE_STATES

pytestmark = pytest.mark.django_db

PAGE = 4  # rows a section lists, small so that a small firm fills several pages
ROW = re.compile(r'<tr><td><a href="/cases/(\d+)/">')


@pytest.fixture
def firm(catalog, clock, monkeypatch):
    monkeypatch.setattr(board_module, "PAGE", PAGE)
    scale_load(cases=100, seed=11, now=timezone.now(), move_clock=clock.move_to)
    running = Case.objects.filter(state__in=[s.value for s in ACTIVE_STATES])
    assert running.count() > PAGE, "the firm has more running cases than a page"
    return running


def _section(page: str, key: str) -> str:
    return page.split(f'id="{key}"')[1].split("</section>")[0]


def test_the_queue_pages_through_the_running_cases_by_priority(client, firm):
    client.force_login(firm.first().assignments.get(role="liaison").user)
    total = firm.count()
    pages = -(-total // PAGE)
    expected = list(
        firm.order_by("-priority", "requested_deadline", "pk").values_list("pk", flat=True)
    )
    first = _section(client.get(reverse("board")).content.decode(), "queue")
    assert [int(pk) for pk in ROW.findall(first)] == expected[:PAGE]
    assert f"第 1 / {pages} 页，共 {total} 个" in first and "?page=2#queue" in first
    second = _section(client.get(reverse("board"), {"page": 2}).content.decode(), "queue")
    assert [int(pk) for pk in ROW.findall(second)] == expected[PAGE : 2 * PAGE]
    assert "?page=1#queue" in second
    # A page that is no number, or past the end, is the first or the last.
    for asked, shown in (("x\x00", 1), ("-3", 1), ("999999999999", pages)):
        html = _section(client.get(reverse("board"), {"page": asked}).content.decode(), "queue")
        assert f"第 {shown} / {pages} 页" in html


def _drawn_elsewhere(page: str) -> set[int]:
    return {
        int(pk) for key in ("mine", "due-today", "queue") for pk in ROW.findall(_section(page, key))
    }


def test_at_risk_lists_the_warned_cases_and_those_drawn_at_risk(client, firm):
    warnings_scan(now=timezone.now())
    warned = set(
        RiskWarning.objects.filter(
            cleared_at__isnull=True, kind__in=["projected_late", "low_slack"]
        ).values_list("case_id", flat=True)
    )
    assert len(warned) > PAGE, "the firm has more cases at risk than a page"
    client.force_login(firm.first().assignments.get(role="liaison").user)
    page = client.get(reverse("board")).content.decode()
    html = _section(page, "at-risk")
    listed = [int(pk) for pk in ROW.findall(html)]
    assert len(listed) == PAGE and set(listed) <= warned | _drawn_elsewhere(page)
    assert "个未列出" in html
    # Once the watch has cleared the warnings, only cases drawn elsewhere on the board (and
    # projected for it) can show as at risk: nothing is projected for this section alone.
    RiskWarning.objects.update(cleared_at=timezone.now())
    page = client.get(reverse("board"), {"page": 2}).content.decode()
    listed = {int(pk) for pk in ROW.findall(_section(page, "at-risk"))}
    today = timezone.localdate()
    # Due today by the plan: found in SQL, projected, shown under 今日到期 only if the
    # projection agrees.
    due = set(
        firm.filter(
            Q(requested_deadline=today)
            | Q(steps__finished_at__isnull=True, steps__planned_finish__date=today)
        ).values_list("pk", flat=True)
    )
    assert listed <= _drawn_elsewhere(page) | due


def test_the_board_reads_a_bounded_number_of_queries(client, firm):
    user = firm.first().assignments.get(role="liaison").user
    client.force_login(user)
    client.get(reverse("board"))  # caches warmed
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("board"))
    with CaptureQueriesContext(connection) as later:
        client.get(reverse("board"), {"page": 3})
    assert len(first) <= 40 and len(later) <= 40, (len(first), len(later))
