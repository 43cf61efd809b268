"""Every example of the seed's 需求精准识别 and 内部可行性评估 sections, with its numbers."""

import datetime as dt

import pytest

from expedite.catalog import load_default_catalog
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.phrases import Phrase, Term
from expedite.domain.rules import evaluate
from expedite.domain.triage import (
    Consequence,
    Flag,
    Intake,
    PriorityWeights,
    Verdict,
    client_summary,
    priority,
    triage,
)

CAL = WorkCalendar(statutory_arrangements())
CATALOG = load_default_catalog()
ALL = frozenset(c for c, _ in CATALOG.preconditions)
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)  # a Monday morning


def run(code, deadline, now=NOW, **kw):
    intake = Intake(deadline=deadline, written_notice=kw.pop("written_notice", True), **kw)
    return triage(
        CATALOG.get(code),
        intake,
        catalog=CATALOG,
        calendar=CAL,
        now=now,
        value_tier=kw.get("tier", "standard"),
    )


def test_the_food_licence_is_false_urgency_five_days_left_three_needed():
    t = run(
        "food-business-license", CAL.add_workdays(NOW.date(), 4)
    )  # five working days incl. today
    assert t.verdict == Verdict.NOT_NEEDED
    assert t.chosen.plan.working_days == 3
    assert t.chosen.plan.finish_date == dt.date(2026, 11, 25)
    assert "无需加急" in t.reasons[0].zh


def test_tax_deregistration_with_unfiled_returns_is_blocked_with_the_8_day_path():
    t = run("tax-deregistration", dt.date(2026, 11, 30), facts={"returns_filed": False})
    assert t.verdict == Verdict.BLOCKED
    assert t.chosen.plan.working_days == 8  # file first 3 WD, then deregister 5 WD
    assert [f.rule.code for f in t.fired] == ["deregistration-requires-filings"]
    assert t.chosen.plan.steps[0].name == "补报未申报的税费"
    assert "税务注销操作指引" in t.reasons[0].zh


def test_a_cross_month_invoice_title_change_is_refused_with_the_red_letter_alternative():
    t = run("invoice-title-change", dt.date(2026, 11, 24), facts={"cross_month": True})
    assert t.verdict == Verdict.REFUSED
    assert t.fired[0].rule.code == "no-cross-month-invoice-title-change"
    direct = t.options.standard.plan
    red_letter = t.alternative.standard.plan
    assert red_letter.service == "invoice-correction"
    assert red_letter.working_days == direct.working_days + 1  # 虽然多花1天时间，但合规
    assert "红字发票" in t.alternative_name


def test_the_same_month_title_change_of_a_paper_invoice_is_allowed():
    t = run(
        "invoice-title-change",
        dt.date(2026, 11, 24),
        facts={"cross_month": False, "paper_invoice": True},
    )
    assert t.verdict == Verdict.NOT_NEEDED


def test_a_same_month_correction_that_cannot_finish_in_the_month_is_the_red_letter_path():
    # 31 December 15:00: voiding and reissuing takes past New Year, when the invoice is
    # already a month old — the seed's cross-month case, so the red-letter path.
    at = dt.datetime(2026, 12, 31, 15, tzinfo=SHANGHAI)
    same_month_paper = {"cross_month": False, "paper_invoice": True}
    intake = Intake(deadline=dt.date(2027, 1, 8), written_notice=True, facts=same_month_paper)
    t = triage(CATALOG.get("invoice-title-change"), intake, catalog=CATALOG, calendar=CAL, now=at)
    assert t.options.fastest.plan.finish_date >= dt.date(2027, 1, 1)
    assert t.verdict == Verdict.REFUSED
    assert [f.rule.code for f in t.fired] == ["invoice-title-change-within-month"]
    assert "下个月" in t.reasons[0].zh
    assert t.alternative.standard.plan.service == "invoice-correction"
    # Mid-month the same request is plain same-month work.
    mid = triage(
        CATALOG.get("invoice-title-change"),
        intake,
        catalog=CATALOG,
        calendar=CAL,
        now=dt.datetime(2026, 12, 10, 10, tzinfo=SHANGHAI),
    )
    assert mid.verdict != Verdict.REFUSED and not mid.fired


def test_a_matter_already_at_the_approval_stage_is_planned_from_there():
    at_start = run("labor-dispatch-license", dt.date(2026, 12, 4), preconditions=ALL)
    stuck = run(
        "labor-dispatch-license", dt.date(2026, 12, 4), preconditions=ALL, stage="部门审批中"
    )
    assert [s.code for s in stuck.options.standard.plan.steps] == ["approval"]
    assert stuck.options.standard.plan.working_days == 1
    assert at_start.options.standard.plan.working_days == 5
    assert "事项已到“部门审批中”环节" in stuck.reasons[0].zh and "现场核查" in stuck.reasons[0].zh
    # An answer that is not one of the service's stages plans from the start, as before.
    other = run("labor-dispatch-license", dt.date(2026, 12, 4), preconditions=ALL, stage="other")
    assert other.options.standard.plan == at_start.options.standard.plan


def test_impatience_without_anything_in_writing_is_false_urgency_with_the_paid_option():
    deadline = dt.date(2026, 11, 25)
    asked = dict(preconditions=ALL, consequence=Consequence.COMFORT_ONLY)
    t = run("labor-dispatch-license", deadline, written_notice=False, **asked)
    assert t.verdict == Verdict.FALSE_URGENCY
    assert t.chosen.key == "standard"  # recommended: the standard plan, no surcharge
    assert t.chosen.plan.fee.surcharge == 0 and t.chosen.meets_deadline is False
    assert t.options.recommended.meets_deadline  # the paid option stays on offer
    assert "假急" in t.reasons[0].zh and "自愿选择加急方案" in t.reasons[1].zh
    assert str(t.options.recommended.plan.fee.total) in t.reasons[1].zh
    # A written notice, or a real consequence, makes it a true expedite.
    noticed = run("labor-dispatch-license", deadline, written_notice=True, **asked)
    assert noticed.verdict == Verdict.EXPEDITE
    penalty = run(
        "labor-dispatch-license",
        deadline,
        written_notice=False,
        preconditions=ALL,
        consequence=Consequence.CONTRACT_PENALTY,
    )
    assert penalty.verdict == Verdict.EXPEDITE


def test_labor_dispatch_three_days_is_an_expedite_with_the_reasons():
    t = run("labor-dispatch-license", dt.date(2026, 11, 25), preconditions=ALL)
    assert t.verdict == Verdict.EXPEDITE
    assert t.reasons[0].zh == "3 个工作日可以完成，比常规 5 天快 2 天。"
    assert set(t.chosen.plan.levers) == {"esign", "parallel-inspection", "remote-review"}


def test_when_even_the_fastest_misses_it_offers_the_best_date_and_what_must_change():
    t = run("labor-dispatch-license", dt.date(2026, 11, 24))
    assert t.verdict == Verdict.INFEASIBLE
    assert t.chosen.plan.finish_date == dt.date(2026, 11, 27)  # no lever arranged: 5 WD
    assert any("截止日期放宽到 2026-11-27" in c for c in (x.zh for x in t.to_change))
    assert any("已与审批部门提前沟通" in c for c in (x.zh for x in t.to_change))


def test_the_high_tech_audit_report_from_a_third_party_delays_the_start_by_three_days():
    # Inside Shanghai's 2026 application window, where nothing else makes the plan wait.
    now = dt.datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)
    ready = run(
        "high-tech-certification",
        dt.date(2026, 7, 31),
        now=now,
        facts={"special_audit_ready": True},
    )
    missing = run(
        "high-tech-certification",
        dt.date(2026, 7, 31),
        now=now,
        facts={"special_audit_ready": False},
    )
    assert missing.chosen.plan.working_days == ready.chosen.plan.working_days + 3
    assert any("专项审计报告" in r for r in (x.zh for x in missing.reasons))


def test_flags():
    t = run(
        "food-business-license",
        dt.date(2026, 11, 20),
        written_notice=False,
        materials_complete=False,
        materials_expected=dt.datetime(2026, 11, 24, 9, tzinfo=SHANGHAI),
    )
    assert set(t.flags) >= {Flag.NO_WRITTEN_EVIDENCE, Flag.DEADLINE_PAST, Flag.MATERIALS_INCOMPLETE}
    assert t.chosen.plan.start == dt.datetime(2026, 11, 24, 9, tzinfo=SHANGHAI)
    assert Flag.PROVISIONAL_YEAR in run("trademark-registration", dt.date(2027, 1, 15)).flags


def test_project_acceptance_with_penalty_goes_before_a_bank_loan_that_can_wait():
    # 银行贷款需要营业执照 vs 项目验收需要税务证明（错过有违约金）: same client value.
    day = CAL.hours.day_length
    weights = PriorityWeights()
    acceptance = priority(
        slack=day * 1,
        day=day,
        consequence=Consequence.CONTRACT_PENALTY,
        value_tier="key",
        weights=weights,
    )
    loan = priority(
        slack=day * 3,
        day=day,
        consequence=Consequence.LOST_BUSINESS,
        value_tier="key",
        weights=weights,
    )
    assert acceptance.score > loan.score
    # Even when the loan is a little tighter, the penalty still decides.
    loan_tight = priority(
        slack=day * 0.5,
        day=day,
        consequence=Consequence.COMFORT_ONLY,
        value_tier="key",
        weights=weights,
    )
    assert acceptance.score > loan_tight.score
    assert "合同违约金" in acceptance.reason(Consequence.CONTRACT_PENALTY, "重点客户").zh


def test_no_slack_is_fully_urgent_and_a_lot_of_slack_is_not():
    day = CAL.hours.day_length
    w = PriorityWeights()
    assert (
        priority(
            slack=-day,
            day=day,
            consequence=Consequence.COMFORT_ONLY,
            value_tier="standard",
            weights=w,
        ).urgency
        == 1
    )
    assert (
        priority(
            slack=day * 30,
            day=day,
            consequence=Consequence.COMFORT_ONLY,
            value_tier="standard",
            weights=w,
        ).urgency
        == 0
    )


def test_the_summary_for_the_client_is_plain_chinese():
    t = run("tax-deregistration", dt.date(2026, 11, 30), facts={"returns_filed": False})
    lines = client_summary(
        t,
        client="苏州恒信",
        service_name="税务注销",
        deadline=dt.date(2026, 11, 30),
        must_do=[Phrase("must.material", {"material": Term("未申报期间的账簿")})],
    )
    text = "\n".join(line.zh for line in lines)
    assert text.startswith("苏州恒信您好")
    assert "须先满足前提" in text and "8 个工作日" in text and "未申报期间的账簿" in text


@pytest.mark.parametrize(
    ("service", "facts", "rule"),
    [
        ("invoice-title-change", {"cross_month": True}, "no-cross-month-invoice-title-change"),
        ("tax-deregistration", {"returns_filed": False}, "deregistration-requires-filings"),
        ("tax-deregistration", {"unpaid_taxes": True}, "deregistration-requires-taxes-paid"),
        (
            "social-insurance-enrollment",
            {"wage_base": 2300, "city_minimum_wage_base": 2690},
            "social-insurance-wage-base-minimum",
        ),
        (
            "food-business-license",
            {"business_license_valid": False},
            "license-requires-valid-business-license",
        ),
        (
            "labor-dispatch-license",
            {"registered_capital": 1_000_000},
            "labor-dispatch-minimum-capital",
        ),
        ("high-tech-certification", {"special_audit_ready": False}, "high-tech-special-audit"),
        (
            "foreign-company-setup",
            {"negative_list_prohibited": True},
            "foreign-investment-negative-list",
        ),
        ("trademark-registration", {"uses_state_symbols": True}, "trademark-prohibited-signs"),
        ("construction-permit", {"drawing_review_ok": False}, "construction-drawing-review"),
        ("business-change", {"resolution_signed": False}, "business-change-resolution"),
        (
            "food-business-license",
            {"prepackaged_only": True},
            "prepackaged-food-filing-not-license",
        ),
        ("business-deregistration", {"tax_cleared": False}, "business-deregistration-after-tax"),
    ],
)
def test_each_rule_fires_on_its_facts_and_not_on_the_compliant_ones(service, facts, rule):
    assert [f.rule.code for f in evaluate(CATALOG.rules, service, facts).fired] == [rule]
    compliant = {
        k: (not v if isinstance(v, bool) else v * 10)
        for k, v in facts.items()
        if k != "city_minimum_wage_base"
    }
    compliant.update({k: v for k, v in facts.items() if k == "city_minimum_wage_base"})
    assert evaluate(CATALOG.rules, service, compliant).fired == ()


def test_every_rule_cites_its_basis_and_refusals_offer_an_alternative():
    assert len(CATALOG.rules) >= 10
    for rule in CATALOG.rules:
        assert rule.basis and rule.reason
        if rule.kind == "refuse":
            assert rule.alternative_service or rule.alternative_steps


def test_a_rule_whose_facts_are_unknown_is_reported_undecided():
    t = run("tax-deregistration", dt.date(2026, 12, 31))
    undecided = dict(t.undecided)
    assert undecided["deregistration-requires-filings"] == ("returns_filed",)


def test_the_wage_base_refusal_offers_the_corrected_filing():
    t = run(
        "social-insurance-enrollment",
        dt.date(2026, 11, 30),
        facts={"wage_base": 2300, "city_minimum_wage_base": 2690},
    )
    assert t.verdict == Verdict.REFUSED
    assert "调整" in t.alternative_name
    assert t.alternative.standard.plan.service == "social-insurance-enrollment"


def test_a_negative_list_refusal_shows_the_restructuring_detour_with_dates():
    t = run(
        "foreign-company-setup", dt.date(2026, 12, 31), facts={"negative_list_prohibited": True}
    )
    assert t.verdict == Verdict.REFUSED
    plan = t.alternative.standard.plan
    assert plan.steps[0].name == "法务咨询与交易结构调整"
    assert plan.working_days == t.options.standard.plan.working_days + 5


def test_every_rule_of_the_catalog_has_its_own_test_above():
    tested = {
        "no-cross-month-invoice-title-change",
        "invoice-title-change-within-month",
        "no-void-of-electronic-invoice",
        "deregistration-requires-filings",
        "deregistration-requires-taxes-paid",
        "social-insurance-wage-base-minimum",
        "license-requires-valid-business-license",
        "labor-dispatch-minimum-capital",
        "high-tech-special-audit",
        "foreign-investment-negative-list",
        "trademark-prohibited-signs",
        "construction-drawing-review",
        "business-change-resolution",
        "prepackaged-food-filing-not-license",
        "business-deregistration-after-tax",
    }
    assert {r.code for r in CATALOG.rules} == tested
