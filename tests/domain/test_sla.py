"""SLA clocks: working time only, paused while waiting on the client."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expedite.domain.calendar import SHANGHAI, WorkCalendar, WorkingHours
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.sla import CaseClocks, ClockError, ClockState, SlaClock

CAL = WorkCalendar(statutory_arrangements())
H = dt.timedelta(hours=1)


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def clock(target=2 * H):
    return SlaClock(calendar=CAL, target=target, name="材料预审")


def test_a_pre_review_started_at_1130_is_due_at_1500():
    c = clock().start(at(2026, 11, 26, 11, 30))
    assert c.due(at(2026, 11, 26, 11, 30)) == at(2026, 11, 26, 15, 0)
    assert c.remaining(at(2026, 11, 26, 14)) == dt.timedelta(hours=1)
    assert not c.breached(at(2026, 11, 26, 15, 0))
    assert c.breached(at(2026, 11, 26, 15, 0, 1))


def test_pausing_moves_the_due_time_by_the_working_time_paused():
    c = clock().start(at(2026, 11, 26, 9)).pause(at(2026, 11, 26, 10))
    assert c.state == ClockState.PAUSED
    assert c.elapsed(at(2026, 11, 26, 17)) == H  # paused time does not count
    c = c.resume(at(2026, 11, 26, 16))
    assert c.due(at(2026, 11, 26, 16)) == at(2026, 11, 26, 17)


def test_a_clock_paused_over_the_weekend_resumes_with_what_was_left():
    c = clock(3 * H).start(at(2026, 11, 27, 16)).pause(at(2026, 11, 27, 17))
    c = c.resume(at(2026, 11, 30, 9))
    assert c.due(at(2026, 11, 30, 9)) == at(2026, 11, 30, 11)


def test_a_stopped_clock_remembers_whether_it_breached():
    on_time = clock(H).start(at(2026, 11, 26, 9)).stop(at(2026, 11, 26, 9, 50))
    late = clock(H).start(at(2026, 11, 26, 9)).stop(at(2026, 11, 26, 10, 5))
    assert not on_time.breached(at(2026, 12, 31, 9))
    assert late.breached(at(2026, 11, 26, 10, 5))
    assert late.due(at(2026, 12, 1, 9)) == at(2026, 11, 26, 10)


def test_an_overdue_running_clock_reports_negative_remaining_and_its_breach_time():
    c = clock(H).start(at(2026, 11, 26, 9))
    assert c.remaining(at(2026, 11, 26, 11)) == -H
    assert c.due(at(2026, 11, 26, 11)) == at(2026, 11, 26, 10)


def test_illegal_events_are_refused_with_the_state_named():
    c = clock().start(at(2026, 11, 26, 9))
    with pytest.raises(ClockError, match="正在计时，无法恢复"):
        c.resume(at(2026, 11, 26, 10))
    with pytest.raises(ClockError, match="尚未开始，无法暂停"):
        clock().pause(at(2026, 11, 26, 10))
    with pytest.raises(ClockError, match="不能早于上一事件"):
        c.pause(at(2026, 11, 26, 8))


def test_clocks_round_trip_through_json():
    c = clock().start(at(2026, 11, 26, 9)).pause(at(2026, 11, 26, 10)).resume(at(2026, 11, 27, 9))
    again = SlaClock.from_dict(c.to_dict(), calendar=CAL)
    assert again == c
    assert again.due(at(2026, 11, 27, 9)) == c.due(at(2026, 11, 27, 9))


def test_case_clocks_swap_firm_and_client_time_while_on_hold():
    office = WorkCalendar(
        statutory_arrangements(), hours=WorkingHours.parse("09:00-12:00,13:00-17:00")
    )
    clocks = CaseClocks.new(
        firm_calendar=CAL, office_calendar=office, firm_target=15 * H, government_target=5 * 7 * H
    )
    clocks = clocks.start(at(2026, 11, 26, 9)).hold_for_client(at(2026, 11, 26, 11))
    clocks = clocks.submitted_to_government(at(2026, 11, 26, 14))
    clocks = clocks.client_responded(at(2026, 11, 27, 10))
    now = at(2026, 11, 27, 12)
    assert clocks.firm.elapsed(now) == 4 * H  # 9–11 Thursday, 10–12 Friday
    assert clocks.client_wait.elapsed(now) == dt.timedelta(
        hours=6, minutes=30
    )  # Thu 11–18 less lunch, Fri 9–10
    assert clocks.government.elapsed(now) == 6 * H  # office hours: Thu 14–17, Fri 9–12
    assert clocks.client_wait.due(now) is None  # measures only


pause_points = st.lists(
    st.integers(min_value=1, max_value=60 * 24 * 10), min_size=2, max_size=8, unique=True
)


@given(pause_points)
def test_pausing_never_makes_the_due_time_earlier(minutes):
    start = at(2026, 11, 23, 9)
    base = clock(20 * H).start(start)
    c = base
    points = sorted(start + dt.timedelta(minutes=m) for m in minutes)
    for i, t in enumerate(points[: len(points) // 2 * 2]):
        c = c.pause(t) if i % 2 == 0 else c.resume(t)
    now = points[-1]
    due = c.due(now)
    assert due is not None and due >= base.due(now)
