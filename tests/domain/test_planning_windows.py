"""Application windows (申报批次): a step the authority takes only in its announced batches
starts in the first window it can still make, and a plan past the last known window cannot
be dated."""

import datetime as dt

import pytest

from expedite.catalog import load_default_catalog
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.catalog import parse_catalog
from expedite.domain.catalog_limits import cited, unbased
from expedite.domain.errors import CatalogError, DomainError
from expedite.domain.planning import PlanFacts, options, plan

CAL = WorkCalendar(statutory_arrangements())
DAY = CAL.hours.day_length
CATALOG = load_default_catalog()
HIGH_TECH = CATALOG.get("high-tech-certification")

BATCHES = """
skills: [法务]
services:
  - code: x-batch
    name_zh: 批
    name_en: Batch
    category: license
    milestones: [办理中]
    checklist: [一致]
    steps:
      - {code: prepare, name: 准备, duration: {workdays: 2}, role: liaison, skill: 法务, track: 本所}
      - code: submit
        name: 提交申请
        duration: {hours: 4}
        role: process
        skill: 法务
        track: 科技局
        depends_on: [prepare]
        windows:
          - {from: 2026-03-02, to: 2026-03-31, basis: 第一批通知, verified_on: 2026-12-04}
          - {from: 2026-06-01, to: 2026-06-30, basis: 第二批通知, verified_on: 2026-12-04}
      - {code: review, name: 评审, duration: {workdays: 10}, role: government, skill: 法务, track: 科技局, depends_on: [submit]}
"""


def batches(text=BATCHES):
    return parse_catalog(text).get("x-batch")


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def step(p, code):
    return next(s for s in p.steps if s.code == code)


def test_a_step_ready_inside_a_window_starts_when_it_is_ready():
    p = plan(batches(), at(2026, 3, 2, 9), CAL)
    assert step(p, "submit").start == at(2026, 3, 4, 9)
    assert p.working_days == p.working_part_days == 13


def test_a_step_ready_after_a_window_closes_waits_for_the_next_window():
    p = plan(batches(), at(2026, 3, 30, 9), CAL)  # ready Wednesday 1 April: the first has closed
    submit = step(p, "submit")
    assert submit.start == at(2026, 6, 1, 9)
    assert step(p, "prepare").finish == at(2026, 3, 31, 18)
    assert "prepare" not in p.critical_path and "submit" in p.critical_path
    assert p.working_part_days == 13  # the wait is not working time
    assert not p.provisional and p.expected_windows == ()


def test_a_step_ready_on_the_closing_day_still_makes_the_window():
    p = plan(batches(), at(2026, 3, 27, 9), CAL)  # ready Tuesday 31 March, the last day
    assert step(p, "submit").start == at(2026, 3, 31, 9)


def test_a_step_ready_before_a_window_opens_waits_for_the_opening():
    p = plan(batches(), at(2026, 1, 5, 9), CAL)
    assert step(p, "submit").start == at(2026, 3, 2, 9)


def test_with_no_window_left_the_plan_says_plainly_the_next_one_is_not_known():
    with pytest.raises(DomainError) as caught:
        plan(batches(), at(2026, 6, 29, 9), CAL)  # ready 1 July, after the last window
    message = str(caught.value)
    assert message.startswith("下一个申报批次尚未公布")
    assert "“提交申请”" in message and "2026-06-01 至 2026-06-30" in message
    assert caught.value.params["ready"] == "2026-07-01"
    with pytest.raises(DomainError, match="下一个申报批次尚未公布"):
        options(batches(), at(2026, 6, 29, 9), CAL, deadline=dt.date(2026, 12, 31))


def test_options_wait_for_the_window_and_start_late_enough_to_make_it():
    o = options(batches(), at(2026, 4, 6, 9), CAL, deadline=dt.date(2026, 6, 30))
    assert step(o.standard.plan, "submit").start == at(2026, 6, 1, 9)
    assert o.standard.meets_deadline
    # The latest start still reaches the second window with the review done by 30 June.
    latest = o.standard.latest_start
    assert plan(batches(), latest, CAL).finish_date <= dt.date(2026, 6, 30)
    assert plan(batches(), latest + dt.timedelta(minutes=1), CAL).finish_date > dt.date(2026, 6, 30)


def test_a_date_from_an_expected_window_is_provisional():
    text = BATCHES.replace("basis: 第二批通知,", "expected: true, basis: 按往年预计,")
    p = plan(batches(text), at(2026, 4, 6, 9), CAL)
    assert p.provisional and p.expected_windows == ("submit",)
    assert not plan(batches(text), at(2026, 3, 2, 9), CAL).provisional


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("to: 2026-03-31", "to: 2026-02-28", "截止日期 2026-02-28 早于开始日期 2026-03-02"),
        ("from: 2026-06-01", "from: 2026-03-15", "申报批次应按日期先后排列且互不重叠"),
        ("basis: 第一批通知, ", "", "缺少 basis"),
        (
            ", verified_on: 2026-12-04}\n          - {from: 2026-06-01",
            "}\n          - {from: 2026-06-01",
            "verified_on",
        ),
        ("from: 2026-03-02", "from: soon", "windows\\[0\\].from: 应为日期"),
        ("basis: 第一批通知,", "basis: 第一批通知, quota: 10,", "未知的键 quota"),
    ],
)
def test_malformed_windows_are_refused_naming_the_window(old, new, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(BATCHES.replace(old, new))


def test_high_tech_publicity_is_ten_working_days():
    # 《高新技术企业认定管理办法》第十二条（三）: 公示10个工作日.
    assert HIGH_TECH.step("publicity").duration.workdays == 10
    p = plan(HIGH_TECH, at(2026, 6, 1, 9), CAL)
    assert step(p, "publicity").duration == 10 * DAY


def test_high_tech_is_submitted_only_within_shanghais_application_windows():
    windows = HIGH_TECH.step("submit").windows
    sourced = [w for w in windows if not w.expected]
    assert [(w.opens, w.closes) for w in sourced] == [(dt.date(2026, 4, 30), dt.date(2026, 10, 10))]
    assert all(w.expected for w in windows if w.opens > dt.date(2026, 12, 4))
    assert all(w.basis and w.verified_on for w in windows)


def test_high_tech_planned_today_waits_for_the_expected_2027_window_and_says_so():
    p = plan(HIGH_TECH, at(2026, 12, 4, 9), CAL)
    assert step(p, "submit").start == at(2027, 4, 30, 9)
    assert p.provisional and p.expected_windows == ("submit",)


def test_high_tech_past_the_last_window_known_cannot_be_dated():
    with pytest.raises(DomainError, match="下一个申报批次尚未公布：“网上提交认定申请”"):
        plan(HIGH_TECH, at(2027, 10, 11, 9), CAL)


def test_outside_a_window_the_audit_report_is_made_while_waiting_for_the_batch():
    start = at(2026, 12, 4, 9)
    missing = PlanFacts(missing_materials=frozenset({"special-audit"}))
    complete, late = plan(HIGH_TECH, start, CAL), plan(HIGH_TECH, start, CAL, facts=missing)
    assert late.finish == complete.finish
    assert late.working_part_days == complete.working_part_days + 3


def test_every_window_is_cited_with_its_basis_and_the_day_it_was_checked():
    where = {c.where for c in cited(CATALOG)}
    assert "services[high-tech-certification].steps[submit].windows[0]" in where
    assert unbased(CATALOG) == []
