"""The SLA watch projects only the cases whose inputs changed or whose clocks came round
(monitoring/recheck.py), and leaves the warnings exactly as projecting every case would."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from expedite.monitoring import watch
from expedite.monitoring.incidents import incident_raise, warning_approve
from expedite.monitoring.models import CaseRecheck, RiskWarning
from expedite.monitoring.watch import warnings_scan
from expedite.work.models import StepRun
from expedite.work.steps import step_finish, step_start
from expedite.workdays.models import Schedule
from expedite.workdays.selectors import firm_calendar
from expedite.workdays.services import closure_add
from tests.web.test_monitoring import running_case

pytestmark = pytest.mark.django_db


def warnings_now():
    return sorted(
        RiskWarning.objects.values_list(
            "pk", "case_id", "kind", "reason", "raised_at", "cleared_at"
        )
    )


def same_as_full(now) -> int:
    """Runs the incremental scan at `now`, then the full one: the full scan finds nothing
    to open, restate or clear. Returns how many cases the incremental scan projected."""
    seen = []
    real = watch._follow

    def counting(case, *args, **kwargs):
        seen.append(case.pk)
        return real(case, *args, **kwargs)

    watch._follow = counting
    try:
        warnings_scan(now=now)
    finally:
        watch._follow = real
    after = warnings_now()
    # Rolled back: the full scan's own recheck rows must not help the next incremental run.
    with transaction.atomic():
        assert warnings_scan(now=now, full=True) == 0, f"a warning was missed at {now}"
        assert warnings_now() == after, f"the scans disagree at {now}"
        transaction.set_rollback(True)
    return len(seen)


@pytest.fixture
def firm(world, settings):
    """Six running cases, from plenty of slack to late within days."""
    settings.EXPEDITE_AT_RISK_SLACK_HOURS = 24
    cases = []
    for days in (60, 30, 20, 12, 8, 4):
        case = running_case(world)
        case.requested_deadline = timezone.localdate() + dt.timedelta(days=days)
        case.save()
        cases.append(case)
    return cases


def test_the_incremental_scan_warns_as_the_full_scan_at_every_instant(world, firm, settings):
    start = timezone.now()
    assert same_as_full(start) == len(firm)  # the first run looks at every running case
    assert same_as_full(start) == 0  # nothing changed, no clock came round
    # Through nights, a weekend, the deadlines of the short cases and past them.
    for minutes in (1, 7, 61, 200, 481, 1441, 2 * 1440 + 5, 4 * 1440, 6 * 1440 + 300, 9 * 1440):
        at = start + dt.timedelta(minutes=minutes)
        same_as_full(at)
        assert same_as_full(at) == 0  # each case looked at is next due strictly later
    assert RiskWarning.objects.filter(kind="projected_late", cleared_at__isnull=True).exists()
    assert RiskWarning.objects.filter(kind="low_slack").exists()


def test_every_input_of_the_projection_brings_its_case_back(world, firm, settings):
    now = timezone.now()
    same_as_full(now)
    roomy = firm[0]
    steps = {s.code: s for s in StepRun.objects.filter(case=roomy)}
    # A step started and finished.
    step_start(actor=world.zhao, step=steps["prepare"], now=now)
    assert same_as_full(now) == 1
    step_finish(actor=world.zhao, step=steps["prepare"], now=now, note="核查完毕")
    assert same_as_full(now) == 1
    # The deadline comes nearer: the case is short of slack at once.
    roomy.requested_deadline = firm[4].requested_deadline
    roomy.save()
    assert same_as_full(now) == 1
    assert RiskWarning.objects.filter(case=roomy, cleared_at__isnull=True).exists()
    # An incident adds working time to a step.
    incident_raise(
        actor=world.li,
        case=firm[1],
        kind="staff_unavailable",
        description="专员病假",
        now=now,
        impact_hours=40,
    )
    assert same_as_full(now) == 1
    # The liaison rewords a warning: the scan states the projection again.
    warning = RiskWarning.objects.filter(cleared_at__isnull=True).first()
    warning.reason = "另行说明"
    warning.save()
    assert same_as_full(now) == 1
    warning_approve(actor=world.zhang, warning=warning, now=now)
    same_as_full(now)
    # A firm closure moves every projection; a new threshold changes every condition.
    cal = firm_calendar()
    # The next working day, however long a holiday comes first (the Spring Festival: 9 days).
    day = cal.next_workday(timezone.localdate(now))
    closure_add(
        actor=world.chen, schedule=Schedule.objects.get(kind="firm"), date=day, reason="年会"
    )
    assert same_as_full(now) == len(firm)
    settings.EXPEDITE_AT_RISK_SLACK_HOURS = 60
    assert same_as_full(now) == len(firm)
    assert same_as_full(now) == 0


def test_a_case_without_a_row_is_looked_at(world, firm):
    now = timezone.now()
    same_as_full(now)
    CaseRecheck.objects.filter(case=firm[2]).delete()
    assert same_as_full(now + dt.timedelta(seconds=1)) >= 1
    assert CaseRecheck.objects.filter(case=firm[2], dirty=False).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_two_workers_at_once_open_each_warning_once_and_leave_the_full_scan_nothing(world, firm):
    start = timezone.now()
    for minutes in (0, 1, 61):
        now = start + dt.timedelta(minutes=minutes)
        barrier = threading.Barrier(2)
        errors = []

        def worker(now=now, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                warnings_scan(now=now)
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        after = warnings_now()
        assert warnings_scan(now=now, full=True) == 0
        assert warnings_now() == after
    for case in firm:
        kinds = list(
            RiskWarning.objects.filter(case=case, cleared_at__isnull=True).values_list(
                "kind", flat=True
            )
        )
        assert len(kinds) == len(set(kinds))
    assert RiskWarning.objects.filter(cleared_at__isnull=True).exists()
