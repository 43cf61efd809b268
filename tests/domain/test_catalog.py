import pytest

from expedite.catalog import (
    default_catalog_text,
    load_default_catalog,
    load_wage_english,
    load_wage_minimums,
)
from expedite.domain.catalog import Category, LeverKind, parse_catalog
from expedite.domain.catalog_english import missing_english
from expedite.domain.errors import CatalogError
from expedite.domain.wages import missing_wage_english

REQUIRED = {
    "business-change",
    "labor-dispatch-license",
    "tax-deregistration",
    "food-business-license",
    "high-tech-certification",
    "foreign-equity-change",
    "trademark-registration",
    "social-insurance-enrollment",
    "vat-credit-refund",
    "construction-permit",
    "foreign-company-setup",
    "invoice-correction",
    "cross-province-tax-migration",
}


def test_the_default_catalog_covers_the_seed_services_and_each_line_of_work():
    catalog = load_default_catalog()
    assert {s.code for s in catalog.services} >= REQUIRED
    categories = {s.category for s in catalog.services}
    assert {Category.BUSINESS, Category.TAX, Category.LICENSE, Category.SOCIAL} <= categories


def test_every_lever_kind_is_used_by_the_default_catalog():
    kinds = {lv.kind for s in load_default_catalog().services for lv in s.levers}
    assert kinds == set(LeverKind)


def test_the_high_tech_special_audit_report_has_a_three_day_lead_time():
    service = load_default_catalog().get("high-tech-certification")
    audit = next(m for m in service.materials if m.code == "special-audit")
    assert audit.lead_time.workdays == 3 and audit.source == "会计师事务所"


GOOD = """
skills: [税务]
preconditions:
  pre-agreed: 已沟通
services:
  - code: x-one
    name_zh: 一
    name_en: One
    category: tax
    milestones: [办理中]
    checklist: [数据是否一致]
    steps:
      - {code: a, name: 甲, duration: {workdays: 1}, role: process, skill: 税务, track: 税务局}
      - {code: b, name: 乙, duration: {workdays: 2}, role: process, skill: 税务, track: 税务局, depends_on: [a]}
    levers:
      - {code: fast, name: 快, kind: compress, step: b, to: {hours: 3}, reason: 因为, preconditions: [pre-agreed]}
"""


def test_a_minimal_catalog_loads():
    service = parse_catalog(GOOD).get("x-one")
    assert [s.code for s in service.steps] == ["a", "b"]
    assert service.lever("fast").to.hours == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("depends_on: [a]", "depends_on: [c]"), "services.x-one.steps[b].depends_on: 未知步骤“c”"),
        (
            (
                "track: 税务局}\n      - {code: b",
                "track: 税务局, depends_on: [b]}\n      - {code: b",
            ),
            "步骤依赖成环：a → b → a",
        ),
        (
            ("kind: compress, step: b", "kind: compress, step: z"),
            "services.x-one.levers[fast].steps: 步骤“z”不存在",
        ),
        (
            (
                "{code: a, name: 甲, duration: {workdays: 1}",
                "{code: a, name: 甲, duration: {workdays: 0}",
            ),
            "steps[a].duration: 时长必须大于零",
        ),
        (
            (
                "{code: a, name: 甲, duration: {workdays: 1}",
                "{code: a, name: 甲, duration: {workdays: -2}",
            ),
            "时长必须大于零",
        ),
        (
            (
                "role: process, skill: 税务, track: 税务局}\n      - {code: b",
                "role: process, skill: 园艺, track: 税务局}\n      - {code: b",
            ),
            "steps[a].skill: 未知技能“园艺”",
        ),
        (("to: {hours: 3}", "to: {workdays: 5}"), "压缩后的时长应短于原时长"),
        (("preconditions: [pre-agreed]", "preconditions: [bribe]"), "未知前提条件“bribe”"),
        (("category: tax", "category: magic"), "services.x-one.category"),
        (("kind: compress", "kind: teleport"), "levers[fast].kind"),
    ],
)
def test_errors_name_the_file_and_the_key(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(CatalogError) as info:
        parse_catalog(GOOD.replace(old, new), source="firm.yaml")
    assert info.value.message.startswith("firm.yaml")
    assert message in info.value.message


@pytest.mark.parametrize(
    ("text", "message"), [("services: [", "YAML 格式错误"), ("services: []", "没有任何服务事项")]
)
def test_broken_files_are_refused(text, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(text, source="firm.yaml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    levers:\n",
            "    surcharge: {percent: abc}\n    levers:\n",
            "格式不正确",
        ),
        (
            "kind: compress, step: b, to: {hours: 3}",
            "kind: skip, steps: [a, b]",
            "不能跳过全部步骤",
        ),
    ],
)
def test_malformed_values_are_catalog_errors_not_tracebacks(old, new, message):
    assert old in GOOD
    with pytest.raises(CatalogError, match=message):
        parse_catalog(GOOD.replace(old, new), source="firm.yaml")


def test_every_service_in_the_default_catalog_has_a_review_checklist():
    catalog = load_default_catalog()
    for service in catalog.services:
        assert 3 <= len(service.checklist) <= 8, service.code
        assert len(set(service.checklist)) == len(service.checklist)
    seed = ("税率适用是否正确", "申报数据与财务报表是否一致", "是否漏缴附加税")
    for service in catalog.services:
        if service.category == Category.TAX:
            assert service.checklist[:3] == seed, service.code
    assert "即征即退与免抵退项目是否填对" in catalog.get("vat-credit-refund").checklist


def test_a_checklist_is_parsed_in_order_with_whitespace_tidied():
    text = GOOD.replace("checklist: [数据是否一致]", "checklist: [数据是否一致, '印章  是否齐全']")
    assert parse_catalog(text).get("x-one").checklist == ("数据是否一致", "印章 是否齐全")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("", "services.x-one.checklist: 缺少复核清单"),
        ("    checklist: []\n", "services.x-one.checklist: 缺少复核清单"),
        ("    checklist: 数据是否一致\n", "services.x-one.checklist: 应为检查项（文字）的列表"),
        ("    checklist: [甲, '  ']\n", "services.x-one.checklist[1]: 第 2 项应为非空文字"),
        ("    checklist: [甲, {a: 1}]\n", "services.x-one.checklist[1]: 第 2 项应为非空文字"),
        ("    checklist: [甲, 乙, 甲]\n", "services.x-one.checklist[2]: 检查项“甲”与第 1 项重复"),
        (f"    checklist: [{'长' * 101}]\n", "services.x-one.checklist[0]: 第 1 项过长"),
    ],
)
def test_a_missing_or_malformed_checklist_is_refused_naming_the_item(new, message):
    old = "    checklist: [数据是否一致]\n"
    assert old in GOOD
    with pytest.raises(CatalogError) as info:
        parse_catalog(GOOD.replace(old, new), source="firm.yaml")
    assert info.value.message.startswith("firm.yaml: ")
    assert message in info.value.message


def test_a_stored_catalog_from_before_checklists_is_still_readable_when_not_strict():
    old = GOOD.replace("    checklist: [数据是否一致]\n", "")
    assert parse_catalog(old, strict=False).get("x-one").checklist == ()
    with pytest.raises(CatalogError):
        parse_catalog(old)


MATERIALS = """
    materials:
      - {code: id-card, name: 身份证, accepted: [jpg, png], validity: {note: 有效期内, fields: [id_number, date], expires_within_days: 30}}
      - {code: form, name: 申报表, validity: {fields: [wage_base, amount]}, agree_with: [payroll]}
      - {code: payroll, name: 工资明细, required: false, validity: {fields: [amount]}}
"""


def test_materials_carry_their_validity_rules_as_data():
    service = parse_catalog(GOOD.replace("    steps:\n", MATERIALS + "    steps:\n", 1)).get(
        "x-one"
    )
    card, form, payroll = service.materials
    assert card.accepted == ("jpg", "png") and card.validity == "有效期内"
    assert card.fields == ("id_number", "date") and card.expires_within_days == 30
    assert form.agree_with == ("payroll",) and not payroll.required and payroll.validity == ""


def test_the_social_insurance_service_checks_the_wage_base_and_agreeing_amounts():
    service = load_default_catalog().get("social-insurance-enrollment")
    form = next(m for m in service.materials if m.code == "base-declaration")
    assert "wage_base" in form.fields and form.agree_with == ("payroll",)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("accepted: [jpg, png]", "accepted: [gif]", "materials[id-card].accepted: 只能是"),
        ("fields: [id_number, date]", "fields: [passport]", "materials[id-card].validity.fields"),
        ("fields: [id_number, date]", "fields: [id_number]", "需要在 fields 中列出 date"),
        ("expires_within_days: 30", "expires_within_days: soon", "应为非负整数"),
        ("note: 有效期内,", "remark: 有效期内,", "未知的键 remark"),
        (
            "agree_with: [payroll]",
            "agree_with: [bank]",
            "materials[form].agree_with: 材料“bank”不存在",
        ),
        ("validity: {fields: [amount]}", "validity: 原件", "都须包含 amount"),
        ("code: payroll", "code: form", "材料代码重复"),
    ],
)
def test_bad_material_rules_are_refused_naming_the_material(old, new, message):
    text = GOOD.replace("    steps:\n", MATERIALS + "    steps:\n", 1)
    assert old in text
    with pytest.raises(CatalogError) as info:
        parse_catalog(text.replace(old, new), source="firm.yaml")
    assert info.value.message.startswith("firm.yaml: services.x-one.materials")
    assert message in info.value.message


# -- English ------------------------------------------------------------------------------------

GOOD_ENGLISH = """
english:
  税务: Tax
  已沟通: Consulted in advance
  办理中: In progress
  数据是否一致: Do the figures match?
  甲: Step A
  乙: Step B
  税务局: Tax bureau
  快: Fast
  因为: Because
"""


def test_the_default_catalog_has_english_for_every_displayed_text():
    catalog = load_default_catalog()
    assert missing_english(catalog) == []
    assert catalog.in_english("初审") == "First review"
    assert catalog.in_english("本所") == "Our firm"
    assert catalog.in_english("工商变更") == "Business registration change"  # from name_en
    rule = next(r for r in catalog.rules if r.code == "foreign-investment-negative-list")
    assert catalog.in_english(rule.alternative_steps[0].name)
    parse_catalog(default_catalog_text(), require_english=True)


def test_the_wage_table_has_english_for_its_cities_and_sources():
    assert missing_wage_english(load_wage_minimums(), load_wage_english()) == []
    assert load_wage_english()["上海"] == "Shanghai"


def test_a_small_catalog_with_its_english_passes_the_english_check():
    catalog = parse_catalog(GOOD + GOOD_ENGLISH, require_english=True)
    assert missing_english(catalog) == []
    assert catalog.in_english("一") == "One"


def test_a_catalog_missing_one_english_text_is_refused_naming_the_key_and_the_text():
    text = GOOD + GOOD_ENGLISH.replace("  乙: Step B\n", "")
    assert missing_english(parse_catalog(text)) == [("services[x-one].steps[b].name", "乙")]
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, source="firm.yaml", require_english=True)
    assert info.value.message == (
        "firm.yaml: services[x-one].steps[b].name: 缺少英文“乙”，请在 english 中补上。"
    )


def test_the_english_check_lists_each_missing_text_once_and_names_a_few_more():
    catalog = parse_catalog(GOOD)  # no english section at all: it still parses
    missing = missing_english(catalog)
    assert [t for _w, t in missing] == [
        "税务",
        "已沟通",
        "办理中",
        "数据是否一致",
        "甲",
        "税务局",
        "乙",
        "快",
        "因为",
    ]
    with pytest.raises(CatalogError) as info:
        parse_catalog(GOOD, source="firm.yaml", require_english=True)
    assert info.value.message.startswith("firm.yaml: skills[0]: 缺少英文“税务”")
    assert "另有 8 处缺少英文：preconditions[pre-agreed] “已沟通”" in info.value.message
    assert info.value.message.endswith("等。")


def test_an_empty_english_entry_counts_as_missing():
    text = GOOD + GOOD_ENGLISH.replace("因为: Because", "因为:")
    assert missing_english(parse_catalog(text)) == [("services[x-one].levers[fast].reason", "因为")]


def test_stored_versions_without_english_stay_readable():
    old = default_catalog_text().split("\nenglish:")[0]
    assert parse_catalog(old, strict=False).get("business-change").step("first-review")
