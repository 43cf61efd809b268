"""An authority's calendar time in the plan: its legal months run through weekends and
holidays (《商标法》第二十八条、第三十四条), while the firm's own work counts working days."""

import datetime as dt

import pytest

from expedite.catalog import load_default_catalog
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.catalog import parse_catalog
from expedite.domain.durations import Duration
from expedite.domain.errors import CatalogError
from expedite.domain.planning import PlanFacts, nominal_workdays, options, plan

CAL = WorkCalendar(statutory_arrangements())
DAY = CAL.hours.day_length
CATALOG = load_default_catalog()
TRADEMARK = CATALOG.get("trademark-registration")
ALL = frozenset(code for code, _name in CATALOG.preconditions)

OFFICE = """
skills: [商标]
preconditions:
  fast: 符合快速审查情形
services:
  - code: x-mark
    name_zh: 标
    name_en: Mark
    category: ip
    milestones: [办理中]
    checklist: [一致]
    steps:
      - {code: file, name: 提交, duration: {workdays: 1}, role: process, skill: 商标, track: 本所}
      - {code: exam, name: 审查, duration: {months: 9}, role: government, skill: 商标, track: 局, depends_on: [file]}
    levers:
      - {code: quick, name: 快审, kind: compress, step: exam, to: {workdays: 20}, reason: 因为, preconditions: [fast]}
"""


def office(text=OFFICE):
    return parse_catalog(text).get("x-mark")


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def step(p, code):
    return next(s for s in p.steps if s.code == code)


def test_a_nine_month_authority_step_finishes_on_the_first_workday_after_a_holiday():
    # Filed by the end of Monday 5 January 2026; nine months end on 5 October, in 国庆节.
    p = plan(office(), at(2026, 1, 5, 9), CAL)
    exam = step(p, "exam")
    assert exam.start == at(2026, 1, 6, 9)  # the working moment it is ready
    assert exam.finish == at(2026, 10, 8, 18)  # the end of the first workday after the holiday
    assert p.finish == exam.finish and p.critical_path == ("file", "exam")
    assert exam.duration == CAL.working_time_between(exam.start, exam.finish)


def test_a_step_ready_on_friday_evening_starts_its_period_on_monday():
    p = plan(office(), at(2026, 11, 20, 9), CAL)  # filed by Friday 18:00
    exam = step(p, "exam")
    assert exam.start == at(2026, 11, 23, 9)
    assert exam.finish.date() == dt.date(2027, 8, 23)


def test_the_working_time_part_leaves_the_authoritys_months_out():
    p = plan(office(), at(2026, 11, 23, 9), CAL)
    assert p.working_part_days == 1
    assert p.working_days > 180
    assert nominal_workdays(office(), DAY) == 1


def test_a_lever_in_working_days_caps_a_step_in_months():
    p = plan(office(), at(2026, 11, 23, 9), CAL, ["quick"], PlanFacts(preconditions={"fast"}))
    exam = step(p, "exam")
    assert exam.duration == 20 * DAY
    assert exam.finish == CAL.add_working_time(exam.start, 20 * DAY)


def test_compressing_the_firms_step_shortens_the_plan_but_never_the_authoritys_legal_period():
    start = at(2026, 11, 23, 9)
    facts = PlanFacts(preconditions=frozenset({"esign-accepted"}))
    standard = plan(TRADEMARK, start, CAL, facts=facts)
    same_day = plan(TRADEMARK, start, CAL, ["same-day-prepare"], facts)
    assert same_day.working_part_us < standard.working_part_us
    assert same_day.finish < standard.finish
    for p in (standard, same_day):
        exam = step(p, "substantive")
        assert exam.finish.date() == CAL.period_end(exam.start.date(), months=9)
        publication = step(p, "publication")
        assert publication.finish.date() == CAL.period_end(publication.start.date(), months=3)


def test_a_likely_rejection_adds_exactly_five_working_days_of_the_firms_work():
    start = at(2026, 11, 23, 9)
    plain = plan(TRADEMARK, start, CAL)
    flagged = plan(TRADEMARK, start, CAL, facts=PlanFacts(flags=frozenset({"likely-rejection"})))

    def firms_work(p):
        return sum((s.duration for s in p.steps if s.role != "government"), dt.timedelta())

    assert firms_work(flagged) - firms_work(plain) == 5 * DAY
    assert flagged.working_part_days == plain.working_part_days + 5
    # The review request follows the rejection; the office's review has its own 9 months.
    prep, review = step(flagged, "re-review-prep"), step(flagged, "re-review")
    rejected = CAL.work_clock(step(flagged, "substantive").finish)
    assert prep.start == CAL.at_work_clock(rejected, starting=True)
    assert review.finish.date() == CAL.period_end(review.start.date(), months=9)
    assert CAL.period_end(prep.start.date(), days=15) >= prep.finish.date()  # 第三十四条


def test_fast_examination_is_offered_only_where_its_measures_apply():
    start = at(2026, 11, 23, 9)
    o = options(TRADEMARK, start, CAL)
    assert "fast-examination" in {lever.code for lever, _missing in o.unavailable}
    o = options(TRADEMARK, start, CAL, facts=PlanFacts(preconditions=ALL))
    assert "fast-examination" in o.fastest.plan.levers
    assert o.fastest.plan.finish < o.standard.plan.finish
    assert o.fastest.plan.working_part_days == 2  # the firm's part is what levers speed up


def test_the_latest_start_with_calendar_time_still_meets_the_deadline():
    deadline = dt.date(2027, 9, 30)
    o = options(office(), at(2026, 11, 23, 9), CAL, deadline=deadline)
    latest = o.standard.latest_start
    assert plan(office(), latest, CAL).finish_date <= deadline
    later = CAL.add_working_time(latest, dt.timedelta(days=1))
    assert plan(office(), later, CAL).finish_date > deadline


def test_government_steps_are_the_authoritys_and_load_no_staff():
    from expedite.domain.staffing import step_hours

    p = plan(TRADEMARK, at(2026, 11, 23, 9), CAL)
    loads = step_hours((s.role, CAL.workdays_in(s.start.date(), s.finish.date())) for s in p.steps)
    office_days = {
        d
        for s in p.steps
        if s.role == "government"
        for d in CAL.workdays_in(s.start.date(), s.finish.date())
    }
    firm_days = {d for role in loads for d in loads[role]}
    assert "government" not in loads
    assert len(firm_days) < 5 < len(office_days)


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (Duration(months=9), "9 个月"),
        (Duration(days=15), "15 日"),
        (Duration(2, 4), "2 个工作日 4 小时"),
    ],
)
def test_calendar_durations_are_said_in_days_and_months(duration, words):
    assert duration.describe() == words


def test_calendar_time_has_no_fixed_working_length():
    with pytest.raises(ValueError):
        Duration(months=9).to_timedelta(DAY)
    with pytest.raises(ValueError):
        Duration(workdays=1, months=1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # A month can be as short as 28 days; 20 working days are 28 nominal days.
        ("{months: 9}", "{months: 1}", "压缩后的时长应短于原时长（1 个月）"),
        ("{months: 9}", "{days: 20}", "压缩后的时长应短于原时长（20 日）"),
        ("{months: 9}", "{months: 9, workdays: 1}", "不能混写"),
        ("{months: 9}", "{months: 1.5}", "months: 应为正整数"),
        ("{months: 9}", "{weeks: 2}", "时长应写作"),
    ],
)
def test_the_catalog_compares_working_and_calendar_time_sensibly(old, new, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(OFFICE.replace(f"duration: {old}", f"duration: {new}"))


def test_a_shorter_working_time_on_a_step_in_months_is_accepted():
    service = office(OFFICE.replace("to: {workdays: 20}", "to: {workdays: 15}"))
    assert service.lever("quick").to == Duration(workdays=15)
