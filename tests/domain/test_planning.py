"""The planner reproduces every figure the seed account gives, from the default catalog."""

import datetime as dt

import pytest

from expedite.catalog import load_default_catalog
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.errors import DomainError
from expedite.domain.planning import PlanFacts, options, plan
from expedite.domain.verdict_text import options_summary

CAL = WorkCalendar(statutory_arrangements())
CATALOG = load_default_catalog()
ALL = frozenset(code for code, _name in CATALOG.preconditions)
MONDAY = dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)


def svc(code):
    return CATALOG.get(code)


def fastest(code, **facts):
    return options(svc(code), MONDAY, CAL, facts=PlanFacts(preconditions=ALL, **facts))


@pytest.mark.parametrize(
    ("code", "standard", "expedited"),
    [
        ("business-change", 7, 4),
        ("labor-dispatch-license", 5, 3),
        ("foreign-equity-change", 10, 5),
        ("cross-province-tax-migration", 15, 7),
        ("trademark-registration", 3, 2),  # the firm's part, up to filing; then the office's
        ("social-insurance-enrollment", 4, 2),
        ("foreign-company-setup", 9, 7),  # no 商务备案 since 2020: 12→10 became 9→7
    ],
)
def test_standard_and_expedited_working_days_from_the_seed(code, standard, expedited):
    o = fastest(code)
    # The working-time part: the whole plan, unless an authority's calendar time follows.
    assert o.standard.plan.working_part_days == standard
    assert o.fastest.plan.working_part_days == expedited
    if code != "trademark-registration":
        assert (o.standard.plan.working_days, o.fastest.plan.working_days) == (standard, expedited)


def test_labor_dispatch_three_days_instead_of_five_with_the_reasons():
    o = options(
        svc("labor-dispatch-license"),
        MONDAY,
        CAL,
        deadline=dt.date(2026, 11, 25),
        facts=PlanFacts(preconditions=ALL),
    )
    assert options_summary(o).zh == "3 个工作日可以完成，比常规 5 天快 2 天。"
    assert set(o.recommended.plan.levers) == {"esign", "parallel-inspection", "remote-review"}
    reasons = {c.code: c.reason for c in o.recommended.choices}
    assert "现场核查与材料审核同步" in reasons["parallel-inspection"]
    assert all(c.saves > dt.timedelta(0) for c in o.recommended.choices)
    assert o.recommended.plan.finish_date == dt.date(2026, 11, 25)


def test_business_change_skips_first_and_second_review_to_the_supervisor():
    p = plan(svc("business-change"), MONDAY, CAL, ["skip-reviews"])
    codes = [s.code for s in p.steps]
    assert "first-review" not in codes and "second-review" not in codes
    final = next(s for s in p.steps if s.code == "final-review")
    assert final.depends_on == ("submit",)


def test_tax_deregistration_with_unfiled_returns_files_first_three_plus_five():
    filed = plan(svc("tax-deregistration"), MONDAY, CAL)
    unfiled = plan(
        svc("tax-deregistration"),
        MONDAY,
        CAL,
        facts=PlanFacts(unmet_prerequisites=frozenset({"returns-filed"})),
    )
    assert filed.working_days == 5
    assert unfiled.working_days == 8
    assert unfiled.steps[0].code == "file-returns" and unfiled.steps[0].kind == "prerequisite"


def test_high_tech_waits_three_days_for_the_special_audit_report():
    # Inside Shanghai's 2026 application window (30 April – 10 October): nothing else waits.
    in_window = dt.datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)
    complete = plan(svc("high-tech-certification"), in_window, CAL)
    missing = plan(
        svc("high-tech-certification"),
        in_window,
        CAL,
        facts=PlanFacts(missing_materials=frozenset({"special-audit"})),
    )
    assert missing.working_days == complete.working_days + 3
    audit = missing.steps[0]
    assert audit.kind == "material" and audit.track == "会计师事务所"


def test_a_likely_trademark_rejection_adds_a_five_day_review():
    o = fastest("trademark-registration", flags=frozenset({"likely-rejection"}))
    assert o.fastest.plan.working_part_days == 2 + 5
    codes = [s.code for s in o.fastest.plan.steps]
    assert codes.index("substantive") < codes.index("re-review-prep") < codes.index("re-review")


def test_paper_social_insurance_filing_is_two_days_slower():
    o = fastest("social-insurance-enrollment")
    assert o.standard.plan.working_days - o.fastest.plan.working_days == 2


def test_tolerant_acceptance_saves_two_days():
    o = fastest("foreign-company-setup")
    assert [c.code for c in o.fastest.choices] == ["tolerant-acceptance"]
    assert o.fastest.choices[0].saves == 2 * CAL.hours.day_length


def test_the_food_licence_case_needs_no_expedite():
    # Five days left; the standard path takes three (the seed's e-commerce client).
    o = options(svc("food-business-license"), MONDAY, CAL, deadline=dt.date(2026, 11, 27))
    assert o.standard.plan.working_days == 3
    assert not o.expedite_needed
    assert o.recommended is o.standard
    assert "无需加急" in options_summary(o).zh
    assert o.standard.latest_start == dt.datetime(2026, 11, 25, 9, tzinfo=SHANGHAI)


def test_the_cheapest_set_that_meets_the_deadline_is_recommended():
    # Foreign equity change due in 8 working days: one parallel lever is enough.
    o = options(
        svc("foreign-equity-change"),
        MONDAY,
        CAL,
        deadline=dt.date(2026, 12, 2),
        facts=PlanFacts(preconditions=ALL),
    )
    assert o.standard.meets_deadline is False
    assert len(o.recommended.plan.levers) == 1
    assert o.recommended.plan.fee.total < o.fastest.plan.fee.total


def test_when_even_the_fastest_misses_it_says_by_how_many_working_days():
    o = fastest("cross-province-tax-migration")
    o = options(
        svc("cross-province-tax-migration"),
        MONDAY,
        CAL,
        deadline=dt.date(2026, 11, 27),
        facts=PlanFacts(preconditions=ALL),
    )
    assert o.recommended is None
    assert o.fastest.late_by_workdays == 2  # 7 working days from Monday ends Tue 1 Dec
    assert "晚 2 个工作日" in options_summary(o).zh


def test_levers_whose_preconditions_fail_are_listed_with_what_is_missing():
    o = options(svc("labor-dispatch-license"), MONDAY, CAL)
    missing = {lever.code: conds for lever, conds in o.unavailable}
    assert missing["parallel-inspection"] == ("department-precoordinated",)
    with pytest.raises(DomainError, match="前提条件未满足"):
        plan(svc("labor-dispatch-license"), MONDAY, CAL, ["parallel-inspection"])


def test_fees_are_base_plus_surcharge_plus_lever_costs():
    p = fastest("labor-dispatch-license").fastest.plan
    assert (p.fee.base, p.fee.surcharge, p.fee.levers, p.fee.total) == (4000, 800, 1000, 5800)
    assert plan(svc("labor-dispatch-license"), MONDAY, CAL).fee.total == 4000


def test_critical_path_and_bottleneck():
    p = plan(svc("foreign-equity-change"), MONDAY, CAL)
    assert p.critical_path == ("prepare", "tax", "market", "forex", "wrap-up")
    assert p.bottleneck == "tax"


def test_plans_over_spring_festival_2026_skip_the_holiday():
    p = plan(svc("labor-dispatch-license"), dt.datetime(2026, 2, 12, 9, tzinfo=SHANGHAI), CAL)
    # Thu 12, Fri 13, make-up Sat 14, then the holiday until Tue 24.
    assert p.finish_date == dt.date(2026, 2, 25)
    assert p.working_days == 5


def test_plans_into_2027_are_provisional():
    p = plan(svc("labor-dispatch-license"), dt.datetime(2026, 12, 28, 9, tzinfo=SHANGHAI), CAL)
    assert p.finish_date.year == 2027 and p.provisional
    assert not plan(svc("business-change"), MONDAY, CAL).provisional


def test_the_plan_starts_when_the_materials_are_expected():
    expected = dt.datetime(2026, 11, 25, 14, tzinfo=SHANGHAI)
    p = plan(
        svc("food-business-license"), MONDAY, CAL, facts=PlanFacts(materials_expected=expected)
    )
    assert p.steps[0].start == expected


def test_the_parallel_levers_of_foreign_equity_change_work_in_either_order():
    a = plan(
        svc("foreign-equity-change"),
        MONDAY,
        CAL,
        ["parallel-market", "parallel-forex"],
        PlanFacts(preconditions=ALL),
    )
    b = plan(
        svc("foreign-equity-change"),
        MONDAY,
        CAL,
        ["parallel-forex", "parallel-market"],
        PlanFacts(preconditions=ALL),
    )
    assert a.working_days == b.working_days == 5


ALTERNATIVES = """
skills: [税务]
services:
  - code: alt
    name_zh: 替代
    name_en: Alternatives
    category: tax
    checklist: [数据是否一致]
    base_fee: 1000
    surcharge: {percent: 10}
    steps:
      - {code: x, name: 甲, duration: {workdays: 3}, role: process, skill: 税务, track: 一}
      - {code: y, name: 乙, duration: {workdays: 2}, role: process, skill: 税务, track: 一, depends_on: [x]}
    levers:
      - {code: a1, name: 一, kind: compress, step: x, to: {workdays: 1}, reason: 一, cost: {cny: 100}}
      - {code: a2, name: 二, kind: remote, step: x, to: {workdays: 1}, reason: 二, cost: {cny: 200}}
      - {code: b1, name: 三, kind: compress, step: y, to: {workdays: 1}, reason: 三, cost: {cny: 50}}
"""


def test_two_levers_that_do_the_same_job_are_not_both_dropped():
    from expedite.domain.catalog import parse_catalog

    service = parse_catalog(ALTERNATIVES).get("alt")
    o = options(service, MONDAY, CAL, deadline=dt.date(2026, 11, 24))
    assert o.fastest.plan.working_days == 2
    assert set(o.fastest.plan.levers) == {"a1", "b1"}  # the cheaper of the two alternatives
    assert set(o.recommended.plan.levers) == {"a1", "b1"}


def test_lateness_is_counted_from_a_deadline_on_a_saturday():
    o = options(svc("labor-dispatch-license"), MONDAY, CAL, deadline=dt.date(2026, 11, 28))
    # Standard: five working days from Monday 23 November ends Friday 27: on time.
    assert o.standard.meets_deadline
    late = options(svc("business-change"), MONDAY, CAL, deadline=dt.date(2026, 11, 28))
    assert late.standard.plan.finish_date == dt.date(2026, 12, 1)
    assert late.standard.late_by_workdays == 2  # Monday 30 and Tuesday 1


def test_working_days_do_not_depend_on_the_hour_work_starts():
    for hour in (9, 11, 14, 17):
        start = dt.datetime(2026, 11, 23, hour, tzinfo=SHANGHAI)
        o = options(svc("labor-dispatch-license"), start, CAL, facts=PlanFacts(preconditions=ALL))
        assert (o.standard.plan.working_days, o.fastest.plan.working_days) == (5, 3)


def test_a_latest_start_across_an_unpublished_spring_festival_is_provisional():
    o = options(svc("business-change"), MONDAY, CAL, deadline=dt.date(2027, 2, 15))
    assert o.standard.plan.finish_date.year == 2026
    assert o.standard.plan.provisional


def test_a_step_after_a_left_out_conditional_step_still_waits_for_the_remedies():
    from expedite.domain.catalog import parse_catalog

    text = """
skills: [税务]
services:
  - code: cond
    name_zh: 条件
    name_en: Conditional
    category: tax
    checklist: [数据是否一致]
    prerequisites:
      - {code: p, name: 前提, basis: 某条例第一条, verified_on: 2026-12-04, remedy: [{code: r, name: 补救, duration: {workdays: 1}, role: process, skill: 税务, track: 一}]}
    steps:
      - {code: a, name: 甲, duration: {workdays: 1}, role: process, skill: 税务, track: 一, when: rare}
      - {code: b, name: 乙, duration: {workdays: 2}, role: process, skill: 税务, track: 一, depends_on: [a]}
"""
    service = parse_catalog(text).get("cond")
    p = plan(service, MONDAY, CAL, facts=PlanFacts(unmet_prerequisites=frozenset({"p"})))
    assert [s.code for s in p.steps] == ["r", "b"]
    assert p.working_days == 3
