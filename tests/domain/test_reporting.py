"""日清 + 异常 without a database: report content, schedule, response clock, risk conditions."""

import datetime as dt

from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.reporting import (
    NOTHING_DONE,
    NOTHING_FOR_CLIENT,
    RiskKind,
    StepFact,
    compose_report,
    escalation_level_due,
    report_schedule,
    reports_today,
    response_clock,
    risk_conditions,
)

CAL = WorkCalendar(statutory_arrangements())


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def step(name, track, started=None, finished=None, start=None, finish=None):
    return StepFact(name, track, started, finished, start or started, finish or finished)


def test_the_report_says_what_was_done_today_and_what_comes_next_working_day():
    day = dt.date(2026, 11, 27)  # a Friday: the plan is for Monday
    steps = [
        step("材料准备", "本所", at(2026, 11, 26, 9), at(2026, 11, 27, 11), None, None),
        step("商务局备案", "商务局", at(2026, 11, 27, 14), None, None, at(2026, 11, 30, 12)),
        step("外汇登记", "外汇局", None, None, at(2026, 11, 30, 13, 30), at(2026, 12, 2, 18)),
        step("工商变更", "市场监管局", None, None, at(2026, 12, 3, 9), at(2026, 12, 4, 18)),
        step("昨日完成的", "本所", at(2026, 11, 25, 9), at(2026, 11, 26, 10)),
    ]
    r = compose_report(
        day=day,
        cal=CAL,
        steps=steps,
        track_notes=[("商务局", "已递交，窗口受理")],
        client_items=["请确认物品交接：公章"],
    )
    assert r.done_today.splitlines() == [
        "✔ 本所：材料准备（已完成）",
        "▶ 商务局：商务局备案（已开始办理）",
        "· 商务局：已递交，窗口受理",
    ]
    assert r.plan_tomorrow.splitlines() == [
        "· 商务局：商务局备案（预计完成）",
        "· 外汇局：外汇登记（继续办理）",
    ]
    assert r.client_todo == "· 请确认物品交接：公章"


def test_the_report_is_written_in_the_language_it_is_given():
    """Drafted for the client as it will be sent: its messages and the catalog's names in the
    client's language (here a stand-in English)."""
    english = {
        "✔ %(track)s：%(step)s（已完成）": "✔ %(track)s: %(step)s (done)",
        NOTHING_FOR_CLIENT: "Nothing needed from you.",
    }
    r = compose_report(
        day=dt.date(2026, 11, 27),
        cal=CAL,
        steps=[step("材料准备", "本所", at(2026, 11, 26, 9), at(2026, 11, 27, 11))],
        translate=lambda t: english.get(t, t),
        term=lambda t: f"EN:{t}",
    )
    assert r.done_today == "✔ EN:本所: EN:材料准备 (done)"
    assert r.client_todo == "Nothing needed from you."


def test_a_quiet_day_still_says_so():
    r = compose_report(day=dt.date(2026, 11, 27), cal=CAL, steps=[])
    assert r.done_today == NOTHING_DONE and r.client_todo == NOTHING_FOR_CLIENT


def test_no_report_on_a_holiday_unless_the_case_continues_through_holidays():
    national_day = dt.date(2026, 10, 1)
    assert not reports_today(national_day, CAL, continue_on_holidays=False)
    assert reports_today(national_day, CAL, continue_on_holidays=True)
    assert reports_today(dt.date(2026, 11, 26), CAL, continue_on_holidays=False)


def test_the_draft_opens_the_edit_window_before_the_report_time():
    s = report_schedule(dt.date(2026, 11, 26), dt.time(16, 0), 60, SHANGHAI)
    assert s.draft_at == at(2026, 11, 26, 15) and s.send_at == at(2026, 11, 26, 16)


def test_one_working_hour_to_respond_skips_lunch_and_the_night_and_the_weekend():
    assert response_clock(at(2026, 11, 26, 11, 30), CAL).due == at(2026, 11, 26, 14, 0)
    overnight = response_clock(at(2026, 11, 26, 17, 30), CAL)
    assert overnight.due == at(2026, 11, 27, 9, 30)
    assert overnight.managers_at == at(2026, 11, 27, 10, 30)
    assert response_clock(at(2026, 11, 27, 17, 30), CAL).due == at(2026, 11, 30, 9, 30)


def test_escalation_levels_follow_the_clock_and_stop_once_answered():
    clock = response_clock(at(2026, 11, 26, 10), CAL)
    level = lambda now, ack=False: escalation_level_due(  # noqa: E731
        now=now, clock=clock, acknowledged=ack, resolved=False
    )
    assert level(at(2026, 11, 26, 10, 59)) == 0
    assert level(at(2026, 11, 26, 11, 0)) == 1
    assert level(at(2026, 11, 26, 11, 59)) == 1
    assert level(at(2026, 11, 26, 14, 30)) == 2
    assert level(at(2026, 11, 26, 14, 30), ack=True) == 0


def test_late_outranks_low_slack():
    assert risk_conditions(late=True, at_risk=True) == {RiskKind.PROJECTED_LATE}
    assert risk_conditions(late=False, at_risk=True) == {RiskKind.LOW_SLACK}
    assert risk_conditions(late=False, at_risk=False) == set()
