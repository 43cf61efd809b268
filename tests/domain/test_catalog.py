import pytest

from expedite.catalog import load_default_catalog
from expedite.domain.catalog import Category, parse_catalog
from expedite.domain.errors import CatalogError


def test_default_catalog_carries_the_seed_figures():
    catalog = load_default_catalog()
    assert catalog.get("business-change").standard_workdays == 7
    assert catalog.get("labor-dispatch-license").standard_workdays == 5
    assert catalog.get("tax-deregistration").standard_workdays == 5
    assert catalog.get("foreign-equity-change").standard_workdays == 10
    assert catalog.get("cross-province-tax-migration").standard_workdays == 15
    assert catalog.get("business-change").milestones == ("材料审核中", "部门审批中", "待领取")


def test_default_catalog_covers_each_line_of_work():
    categories = {s.category for s in load_default_catalog().services}
    assert {Category.BUSINESS, Category.TAX, Category.LICENSE, Category.SOCIAL} <= categories


GOOD = """
services:
  - code: x-one
    name_zh: 一
    name_en: One
    category: tax
    standard_workdays: 2
"""


def test_a_minimal_entry_loads():
    assert parse_catalog(GOOD).get("x-one").name_zh == "一"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("standard_workdays: 2", "standard_workdays: 0"),
            "services.x-one.standard_workdays",
        ),
        (GOOD.replace("standard_workdays: 2", "standard_workdays: -3"), "正整数"),
        (GOOD.replace("category: tax", "category: magic"), "services.x-one.category"),
        (GOOD.replace("    name_zh: 一\n", ""), "name_zh"),
        (GOOD.replace("code: x-one", "code: X One"), "services.X One.code"),
        (GOOD + GOOD.split("services:")[1], "代码重复"),
        ("services: [", "YAML 格式错误"),
        ("services: []", "没有任何服务事项"),
    ],
)
def test_errors_name_the_file_and_the_key(text, message):
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, source="firm.yaml")
    assert info.value.message.startswith("firm.yaml")
    assert message in info.value.message
