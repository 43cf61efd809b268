import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from expedite.domain.calendar import WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.errors import DomainError
from expedite.domain.progress import StepStatus, check_step_update, is_stale, last_sync_due, project

H = 3_600_000_000  # one hour in µs
TZ = ZoneInfo("Asia/Shanghai")


def chain():
    return [
        StepStatus("a", (), 8 * H),
        StepStatus("b", ("a",), 16 * H),
        StepStatus("c", ("a",), 4 * H),
        StepStatus("d", ("b", "c"), 8 * H),
    ]


def test_nothing_started_projects_from_now():
    p = project(chain(), now_us=100 * H)
    assert p.finish["a"] == 108 * H
    assert p.start["b"] == 108 * H and p.finish["b"] == 124 * H
    assert p.end == 132 * H
    assert p.critical == {"a", "b", "d"}


def test_slipped_step_moves_its_successors():
    steps = chain()
    steps[0] = StepStatus("a", (), 8 * H, started_us=100 * H, finished_us=112 * H)  # 4 h late
    p = project(steps, now_us=112 * H)
    assert p.start["b"] == 112 * H
    assert p.end == 136 * H
    assert "a" not in p.critical  # done steps are history, not the path ahead


def test_running_step_overrunning_ends_not_before_now():
    steps = chain()
    steps[0] = StepStatus("a", (), 8 * H, started_us=100 * H)
    assert project(steps, now_us=104 * H).finish["a"] == 108 * H
    assert project(steps, now_us=111 * H).finish["a"] == 111 * H


def test_early_finish_pulls_the_end_in():
    steps = chain()
    steps[0] = StepStatus("a", (), 8 * H, started_us=100 * H, finished_us=102 * H)
    assert project(steps, now_us=102 * H).end == 126 * H


def test_cycle_is_refused():
    with pytest.raises(DomainError):
        project([StepStatus("a", ("b",), H), StepStatus("b", ("a",), H)], 0)


def test_step_update_checks():
    done = {"a": False}
    with pytest.raises(DomainError, match="前置步骤"):
        check_step_update(StepStatus("b", ("a",), H), done, action="start")
    check_step_update(StepStatus("b", ("a",), H), {"a": True}, action="start")
    with pytest.raises(DomainError):
        check_step_update(StepStatus("b", (), H), {}, action="finish")
    with pytest.raises(DomainError):
        check_step_update(StepStatus("b", (), H, started_us=1, finished_us=2), {}, action="finish")


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar(statutory_arrangements())


def at(y, m, d, h, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def test_sync_deadline_on_a_working_day(cal):
    ten = dt.time(10, 0)
    # Thursday 26 Nov 2026, 09:30: the deadline that has passed is Wednesday's 10:00.
    assert last_sync_due(at(2026, 11, 26, 9, 30), cal, ten) == at(2026, 11, 25, 10)
    assert last_sync_due(at(2026, 11, 26, 10, 0), cal, ten) == at(2026, 11, 26, 10)
    # Saturday: Friday's.
    assert last_sync_due(at(2026, 11, 28, 15), cal, ten) == at(2026, 11, 27, 10)


def test_sync_deadline_skips_the_national_day_holiday(cal):
    ten = dt.time(10, 0)
    # 2026-10-01..07 is the holiday; 30 Sep is the last working day before it.
    assert last_sync_due(at(2026, 10, 5, 11), cal, ten) == at(2026, 9, 30, 10)
    assert not is_stale(
        last_update=at(2026, 9, 30, 9, 50), now=at(2026, 10, 5, 11), calendar=cal, sync_time=ten
    )
    # The afternoon before the last sync counts for it; the morning of the day before does not.
    assert not is_stale(
        last_update=at(2026, 9, 29, 16), now=at(2026, 10, 5, 11), calendar=cal, sync_time=ten
    )
    assert is_stale(
        last_update=at(2026, 9, 29, 9), now=at(2026, 10, 5, 11), calendar=cal, sync_time=ten
    )


def test_updated_today_after_sync_is_fresh(cal):
    ten = dt.time(10, 0)
    now = at(2026, 11, 26, 14)
    assert not is_stale(last_update=at(2026, 11, 26, 9, 55), now=now, calendar=cal, sync_time=ten)
    assert not is_stale(last_update=at(2026, 11, 25, 11), now=now, calendar=cal, sync_time=ten)
    assert is_stale(last_update=at(2026, 11, 25, 9), now=now, calendar=cal, sync_time=ten)
