"""The catalog's legal content: each test is named after the rule of law it pins down."""

import datetime as dt

from expedite.catalog import load_default_catalog
from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.rules import evaluate
from expedite.domain.triage import Intake, Verdict, triage

CAL = WorkCalendar(statutory_arrangements())
CATALOG = load_default_catalog()
NOW = dt.datetime(2026, 11, 10, 10, tzinfo=SHANGHAI)  # mid-month: a same-month fix fits
FAR = dt.date(2026, 11, 27)


def run(code, facts, deadline=FAR):
    intake = Intake(deadline=deadline, written_notice=True, facts=facts)
    return triage(CATALOG.get(code), intake, catalog=CATALOG, calendar=CAL, now=NOW)


def rule(code):
    return next(r for r in CATALOG.rules if r.code == code)


def prerequisite(service, code):
    return next(p for p in CATALOG.get(service).prerequisites if p.code == code)


def bases():
    """Every legal basis the catalog cites: its rules' and its prerequisites'."""
    yield from (r.basis for r in CATALOG.rules)
    yield from (p.basis for s in CATALOG.services for p in s.prerequisites)


def conditions(code):
    """What a service asks for: its checklists, prerequisites, materials, rules and facts."""
    service = CATALOG.get(code)
    texts = [*service.checklist, *service.submission_checklist]
    for p in service.prerequisites:
        texts += [p.name, p.basis, *(s.name for s in p.remedy), *(s.track for s in p.remedy)]
    texts += [t for m in service.materials for t in (m.name, m.validity)]
    rules = [r for r in CATALOG.rules if r.applies_to(code)]
    texts += [t for r in rules for t in (r.reason, r.basis)]
    texts += [CATALOG.fact_label(f) for r in rules for f in r.facts_needed()]
    return texts


def test_citations_name_the_current_articles():
    cited = list(bases())
    # 实施细则 第十六条 (not 第十五条): settle taxes and surrender invoices before deregistering.
    # (第十五条 is cited only where it belongs: tax deregistration before company deregistration.)
    tax_bases = [*(r.basis for r in CATALOG.rules if "tax-deregistration" in r.services)]
    tax_bases += [p.basis for p in CATALOG.get("tax-deregistration").prerequisites]
    assert not any("实施细则》第十五条" in b for b in tax_bases)
    assert (
        "《税收征收管理法实施细则》第十六条"
        in prerequisite("tax-deregistration", "taxes-paid").basis
    )
    for code in ("deregistration-requires-filings", "deregistration-requires-taxes-paid"):
        assert "《税收征收管理法实施细则》第十六条" in rule(code).basis
    # The 200万 registered capital of a labour dispatcher: 实施办法 第七条.
    assert not any("《劳务派遣行政许可实施办法》第六条" in b for b in cited)
    assert "《劳务派遣行政许可实施办法》第七条" in rule("labor-dispatch-minimum-capital").basis
    # 发票管理办法实施细则 as revised in 2024: paper invoices 第二十四条, electronic 第二十五条.
    assert not any("实施细则》第二十七条" in b for b in cited)
    for code in ("no-cross-month-invoice-title-change", "invoice-title-change-within-month"):
        assert "发票管理办法实施细则》（2024 年修订）第二十四条" in rule(code).basis
    assert "（2024 年修订）第二十五条" in rule("no-void-of-electronic-invoice").basis


def test_an_electronic_invoice_title_error_needs_a_red_letter_invoice_even_within_the_month():
    t = run("invoice-title-change", {"cross_month": False, "paper_invoice": False})
    assert t.verdict == Verdict.REFUSED
    assert [f.rule.code for f in t.fired] == ["no-void-of-electronic-invoice"]
    assert "不能作废" in t.reasons[0].zh and "第二十五条" in t.reasons[0].zh
    assert t.alternative.standard.plan.service == "invoice-correction"
    assert "红字发票" in t.alternative_name
    assert CATALOG.fact_label("paper_invoice") == "原发票为纸质发票"
    # A paper invoice of this month may still be voided and reissued.
    paper = run("invoice-title-change", {"cross_month": False, "paper_invoice": True})
    assert paper.verdict == Verdict.NOT_NEEDED and not paper.fired
    # Across months it is refused whatever the invoice, so the kind is not even asked.
    cross = evaluate(CATALOG.rules, "invoice-title-change", {"cross_month": True})
    assert [f.rule.code for f in cross.fired] == ["no-cross-month-invoice-title-change"]
    assert not any("paper_invoice" in needs for _rule, needs in cross.unknown)


def test_fire_acceptance_is_not_a_condition_of_the_construction_permit():
    assert not any("消防" in text for text in conditions("construction-permit"))
    assert not any("消防" in label for _fact, label in CATALOG.facts)
    # 《建筑工程施工许可管理办法》第四条, each condition shown by a document.
    materials = {m.name for m in CATALOG.get("construction-permit").materials}
    assert materials >= {
        "建设工程用地批准手续",
        "建设工程规划许可证",
        "中标通知书及施工合同",
        "施工图设计文件审查合格书",
        "保证工程质量和安全的具体措施",
        "建设资金已经落实承诺书",
    }
    drawings = prerequisite("construction-permit", "drawing-review-passed")
    assert drawings.basis == "《建筑工程施工许可管理办法》第四条"
    assert rule("construction-drawing-review").prerequisite == drawings.code
    assert (
        "消防验收在竣工时办理，不是施工许可的条件" in CATALOG.get("construction-permit").description
    )


def test_a_drawing_review_certificate_needing_correction_comes_before_the_construction_permit():
    t = run("construction-permit", {"business_license_valid": True, "drawing_review_ok": False})
    assert t.verdict == Verdict.BLOCKED
    assert [f.rule.code for f in t.fired] == ["construction-drawing-review"]
    first = t.chosen.plan.steps[0]
    assert first.name == "联系审图机构更正施工图审查合格书" and first.kind == "prerequisite"


def test_the_construction_permit_is_issued_within_seven_days_of_the_application():
    # 第五条: the authority decides within 7 days of receiving the application.
    plan = run("construction-permit", {"business_license_valid": True, "drawing_review_ok": True})
    authority = [s for s in plan.options.standard.plan.steps if s.code != "submit"]
    assert authority and all(s.track == "住建局" for s in authority)
    assert sum((s.duration for s in authority), dt.timedelta()) <= 7 * CAL.hours.day_length


def test_deregistration_does_not_block_on_the_annual_report():
    dereg = CATALOG.get("tax-deregistration")
    assert not any("年报" in text for text in [dereg.description, *conditions(dereg.code)])
    needed = {
        f for r in CATALOG.rules if r.applies_to("tax-deregistration") for f in r.facts_needed()
    }
    assert needed == {"returns_filed", "unpaid_taxes"}
    t = run("tax-deregistration", {"returns_filed": True, "unpaid_taxes": False})
    assert t.verdict == Verdict.NOT_NEEDED and not t.fired and not t.undecided


def test_a_change_resolution_needs_two_thirds_not_every_signature():
    resolution = prerequisite("business-change", "resolution-signed")
    assert "三分之二以上表决权" in resolution.name and "全体股东书面一致同意" in resolution.name
    assert "第六十六条" in resolution.basis and "第五十九条" in resolution.basis
    assert CATALOG.fact_label("resolution_signed") == resolution.name
    required = rule("business-change-resolution")
    assert "三分之二以上表决权" in required.reason
    assert "第六十六条" in required.basis and "第五十九条" in required.basis
    # All signatures only for a written decision taken without a meeting.
    texts = conditions("business-change")
    assert not any("全体股东签字" in text for text in texts)
    material = next(m for m in CATALOG.get("business-change").materials if m.code == "resolution")
    assert "三分之二以上表决权" in material.validity and "不开会的书面决定" in material.validity
    assert any("三分之二以上表决权" in item for item in CATALOG.get("business-change").checklist)
