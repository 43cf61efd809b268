"""The authorities' legal limits beside the firm's targets, and the dating of every basis.

Each test is named after the rule it pins down: a time limit of law, a procedure in force, or
what `expedite catalog check` demands of a catalog file.
"""

import datetime as dt

import pytest

from expedite.catalog import default_catalog_text, load_default_catalog
from expedite.domain.calendar import DEFAULT_HOURS, SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.catalog import parse_catalog
from expedite.domain.catalog_check import check_complete, incomplete
from expedite.domain.catalog_limits import stale, unbased
from expedite.domain.errors import CatalogError
from expedite.domain.planning import PlanFacts, options

CAL = WorkCalendar(statutory_arrangements())
CATALOG = load_default_catalog()
DAY = DEFAULT_HOURS.day_length
MONDAY = dt.datetime(2026, 11, 16, 9, tzinfo=SHANGHAI)


def legal(service, track):
    return next(a for a in CATALOG.get(service).authorities if a.track == track).legal


def test_registration_is_decided_within_three_working_days_extendable_by_three():
    for service in ("business-change", "foreign-equity-change", "foreign-company-setup"):
        limit = legal(service, "市场监管局")
        assert (limit.amount, limit.unit, limit.extension) == (3, "workdays", 3)
        assert "《市场主体登记管理条例》第十九条" in limit.basis


def test_labour_dispatch_licence_has_twenty_working_days_after_acceptance_plus_ten():
    limit = legal("labor-dispatch-license", "人社局")
    assert (limit.amount, limit.unit, limit.extension) == (20, "workdays", 10)
    assert limit.basis == "《劳务派遣行政许可实施办法》第十二条"
    assert "受理" in limit.starts


def test_construction_permit_is_issued_within_seven_days_of_the_application():
    limit = legal("construction-permit", "住建局")
    assert (limit.amount, limit.unit) == (7, "days")


@pytest.mark.parametrize(
    ("code", "standard", "expedited", "facts"),
    [
        ("labor-dispatch-license", 5, 3, PlanFacts()),
        ("foreign-equity-change", 10, 5, PlanFacts()),
        ("cross-province-tax-migration", 15, 7, PlanFacts()),
        ("tax-deregistration", 8, 8, PlanFacts(unmet_prerequisites=frozenset({"returns-filed"}))),
    ],
)
def test_the_seed_figures_come_out_beside_the_legal_limits(code, standard, expedited, facts):
    service = CATALOG.get(code)
    every = frozenset(p for lever in service.levers for p in lever.preconditions)
    facts = PlanFacts(preconditions=every, unmet_prerequisites=facts.unmet_prerequisites)
    result = options(service, MONDAY, CAL, facts=facts)
    assert result.standard.plan.working_days == standard
    assert result.fastest.plan.working_days == expedited
    assert service.authorities, "the legal side must be stated too"


def test_every_service_states_its_authorities_and_targets_that_match_its_steps():
    assert incomplete(CATALOG, DAY) == []
    assert unbased(CATALOG) == []


def test_foreign_investment_no_longer_files_with_the_commerce_bureau():
    # 商务部公告2019年第62号: the information report goes through company registration.
    for code in ("foreign-equity-change", "foreign-company-setup"):
        service = CATALOG.get(code)
        tracks = {s.track for s in service.steps}
        assert "商务局" not in tracks and "外汇局" not in tracks
        assert "银行" in tracks  # 汇发〔2015〕13号: FDI exchange registration at banks
    setup = CATALOG.get("foreign-company-setup")
    assert setup.steps[0].name == "企业名称自主申报"
    assert "外商投资信息初始报告" in setup.step("license").name
    assert "外商投资信息变更报告" in CATALOG.get("foreign-equity-change").step("market").name


def test_a_cross_province_move_includes_the_market_regulation_move_registration():
    service = CATALOG.get("cross-province-tax-migration")
    move = service.step("market-move")
    assert move.track == "市场监管局" and move.depends_on == ("clearance",)
    assert service.step("registration").depends_on == ("market-move",)


@pytest.mark.parametrize(
    ("code", "names"),
    [
        (
            "labor-dispatch-license",
            {
                "劳务派遣经营许可申请书",
                "公司章程",
                "法定代表人身份证明",
                "拟与用工单位签订的劳务派遣协议样本",
            },
        ),
        ("business-change", {"章程修正案（或修改后的章程）", "公司变更登记申请书"}),
        (
            "foreign-equity-change",
            {"股权转让协议", "章程修正案（或修改后的章程）", "新外方投资者主体资格证明"},
        ),
    ],
)
def test_the_materials_the_authority_lists_can_be_uploaded(code, names):
    assert names <= {m.name for m in CATALOG.get(code).materials}


def test_selling_only_prepackaged_food_is_filed_not_licensed():
    rule = next(r for r in CATALOG.rules if r.code == "prepackaged-food-filing-not-license")
    assert rule.basis == "《食品安全法》第三十五条"
    assert rule.alternative_service == "prepackaged-food-filing"
    assert "prepackaged_only" in dict(CATALOG.facts)


# -- what the check demands of a file ---------------------------------------------------------


def test_a_rule_without_the_date_its_basis_was_checked_is_refused():
    text = default_catalog_text().replace(
        "    basis: 《商标法》第十条\n    verified_on: 2026-12-04\n",
        "    basis: 《商标法》第十条\n",
    )
    assert text != default_catalog_text()
    with pytest.raises(CatalogError, match=r"rules\.trademark-prohibited-signs.*verified_on"):
        parse_catalog(text)
    # A version stored before the field existed still reads.
    assert parse_catalog(text, strict=False).rules


def test_a_limit_without_a_basis_is_refused():
    text = default_catalog_text().replace("basis: 《劳务派遣行政许可实施办法》第十二条, ", "", 1)
    with pytest.raises(CatalogError, match=r"labor-dispatch-license\.authorities\[人社局\]"):
        parse_catalog(text)


def test_targets_the_steps_no_longer_give_are_refused():
    text = default_catalog_text().replace(
        "{code: review, name: 材料审核, duration: {workdays: 2}",
        "{code: review, name: 材料审核, duration: {workdays: 4}",
    )
    catalog = parse_catalog(text)
    with pytest.raises(CatalogError, match=r"labor-dispatch-license.*按步骤计算为常规 7"):
        check_complete(catalog, "firm.yaml", DAY)


def test_a_service_without_its_authorities_is_refused():
    text = default_catalog_text().replace(
        "      - track: 社保中心\n        note:", "      - track: 社保中心\n        nope:", 1
    )
    with pytest.raises(CatalogError, match="社保中心"):
        parse_catalog(text)


def test_bases_checked_longer_ago_than_the_age_are_listed_oldest_first():
    assert stale(CATALOG, dt.date(2026, 12, 4), 365) == []
    old = stale(CATALOG, dt.date(2028, 1, 1), 365)
    assert {c.where for c in old} >= {"rules[trademark-prohibited-signs]"}
    assert all(c.verified_on <= dt.date(2027, 1, 1) for c in old)
    assert [c.verified_on for c in old] == sorted(c.verified_on for c in old)


def test_trademark_examination_is_the_offices_nine_months_not_a_firm_promise():
    # 商标法第二十八条: examined within 9 months of the application; the firm files.
    service = CATALOG.get("trademark-registration")
    limit = legal("trademark-registration", "商标局")
    assert (limit.amount, limit.unit, limit.basis) == (9, "months", "《商标法》第二十八条")
    office = [s for s in service.steps if s.role == "government"]
    assert {s.code for s in office} == {"formal", "substantive", "re-review", "publication"}
    assert all(s.duration.is_calendar and s.track == "商标局" for s in office)
    assert service.step("substantive").duration.months == 9
    assert service.step("file").name == "网上提交注册申请"
    result = options(
        service, MONDAY, CAL, facts=PlanFacts(preconditions=frozenset({"esign-accepted"}))
    )
    # The firm's part up to filing; the office's months come on top, on the calendar.
    assert (result.standard.plan.working_part_days, result.fastest.plan.working_part_days) == (
        3,
        2,
    )
    assert result.standard.plan.finish_date > dt.date(2027, 11, 16)  # 9 + 3 months later
    # Only fast examination shortens the office's examination, and only where it applies.
    office_levers = [lv for lv in service.levers if set(lv.steps) & {s.code for s in office}]
    assert [(lv.code, lv.preconditions) for lv in office_levers] == [
        ("fast-examination", ("green-channel",))
    ]


def test_a_likely_rejection_adds_the_firms_five_days_of_review_preparation():
    service = CATALOG.get("trademark-registration")
    flagged = options(service, MONDAY, CAL, facts=PlanFacts(flags=frozenset({"likely-rejection"})))
    plain = options(service, MONDAY, CAL)
    assert flagged.standard.plan.working_part_days == plain.standard.plan.working_part_days + 5
    prep = next(s for s in flagged.standard.plan.steps if s.code == "re-review-prep")
    assert prep.track == "本所" and prep.duration == 5 * DAY


def test_company_deregistration_follows_tax_deregistration_and_twenty_days_of_publicity():
    # 征管法实施细则第十五条: tax first; 市场主体登记管理条例第三十三条: 公示期为 20 日.
    service = CATALOG.get("business-deregistration")
    plain = options(service, MONDAY, CAL).standard.plan
    publicity = next(s for s in plain.steps if s.code == "publicity")
    assert (publicity.finish.date() - publicity.start.date()).days >= 20
    assert plain.finish_date > (MONDAY + dt.timedelta(days=20)).date()
    owed = options(
        service, MONDAY, CAL, facts=PlanFacts(unmet_prerequisites=frozenset({"tax-cleared"}))
    ).standard.plan
    assert [s.code for s in owed.steps][:2] == ["file-returns", "tax-deregister"]
    assert owed.finish_date > plain.finish_date
    rule = next(r for r in CATALOG.rules if r.code == "business-deregistration-after-tax")
    assert "第十五条" in rule.basis and rule.prerequisite == "tax-cleared"
