"""The lower limits of the social-insurance contribution base: only sourced figures, each with
its period; a day outside every known period is said to be unknown, never guessed."""

import datetime as dt

import pytest

from expedite.catalog import load_wage_minimums
from expedite.domain.errors import CatalogError
from expedite.domain.wages import (
    check_wage_base,
    parse_wage_minimums,
    wage_minimum_for,
    wage_minimums_on,
)

SHANGHAI_2025 = (
    "上海市人社局等《关于调整2025年度本市职工社会保险缴费基数上下限的通知》（沪人社规〔2025〕）"
)

ROW = """
cities:
  甲市:
    - period: {from: 2025-07-01, to: 2026-06-30}
      minimum: 5000
      maximum: 25000
      source: 甲市人社局《关于2025年度缴费基数上下限的通知》（甲人社〔2025〕1号）
      verified_on: 2026-12-04
"""


def table(text: str = ROW):
    return parse_wage_minimums(text, source="t.yaml")


def refused(text: str) -> str:
    with pytest.raises(CatalogError) as caught:
        table(text)
    return caught.value.message


# The file


def test_a_row_with_source_and_verified_on_is_read_with_its_period():
    (row,) = table()
    assert (row.city, row.start, row.end) == ("甲市", dt.date(2025, 7, 1), dt.date(2026, 6, 30))
    assert (row.minimum, row.maximum) == (5000, 25000)
    assert row.verified_on == dt.date(2026, 12, 4) and row.url == ""


def test_a_row_without_source_is_refused():
    message = refused(
        ROW.replace(
            "      source: 甲市人社局《关于2025年度缴费基数上下限的通知》（甲人社〔2025〕1号）\n",
            "",
        )
    )
    assert message.startswith("t.yaml: 甲市 2025-07-01 至 2026-06-30: 缺少 source")


def test_a_blank_source_is_refused_like_a_missing_one():
    message = refused(
        ROW.replace(
            "source: 甲市人社局《关于2025年度缴费基数上下限的通知》（甲人社〔2025〕1号）",
            'source: " "',
        )
    )
    assert "甲市 2025-07-01 至 2026-06-30: 缺少 source" in message


def test_a_row_without_verified_on_is_refused():
    message = refused(ROW.replace("      verified_on: 2026-12-04\n", ""))
    assert (
        message
        == "t.yaml: 甲市 2025-07-01 至 2026-06-30: 缺少 verified_on（依据的核实日期，如 2026-12-04）。"
    )


def test_the_old_unconfirmed_example_flag_is_refused_with_its_reason():
    message = refused(ROW + "      confirmed: false\n")
    assert "甲市 2025-07-01 至 2026-06-30: 不再使用 confirmed" in message


def test_an_unknown_field_is_refused_by_name():
    assert "不认识的字段 minimun" in refused(ROW + "      minimun: 5000\n")


def test_overlapping_periods_of_a_city_are_refused():
    second = """    - period: {from: 2026-06-01, to: 2027-05-31}
      minimum: 5200
      source: 甲市人社局《另一份通知》
      verified_on: 2026-12-04
"""
    message = refused(ROW + second)
    assert "甲市 的期间重叠：2025-07-01 至 2026-06-30 与 2026-06-01 至 2027-05-31" in message


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("maximum: 25000", "maximum: 4000"), "上限 4000 低于下限 5000"),
        (("minimum: 5000", "minimum: 0"), "minimum: 应为正数金额"),
        (("minimum: 5000", "minimum: 五千"), "minimum: 应为正数金额"),
        (("to: 2026-06-30", "to: 2025-06-30"), "截止不早于起始"),
        (("verified_on: 2026-12-04", "verified_on: 上周"), "verified_on: 应为日期"),
    ],
)
def test_a_malformed_row_is_refused_with_what_is_wrong(change, says):
    assert says in refused(ROW.replace(*change))


def test_every_row_of_the_shipped_table_cites_a_source_and_a_verification_date():
    rows = load_wage_minimums()
    assert rows
    for row in rows:
        assert row.source and row.minimum > 0 and row.start <= row.end
        assert row.verified_on <= dt.date(2026, 12, 4)
        assert "示例" not in row.source  # no example figures any more


def test_shanghais_2025_row_is_in_force_from_july_2025_to_june_2026_both_ends_included():
    rows = load_wage_minimums()
    for day in (dt.date(2025, 7, 1), dt.date(2026, 6, 30)):
        assert wage_minimum_for(rows, "上海", day).minimum == 7460
    assert wage_minimum_for(rows, "上海", dt.date(2025, 6, 30)).minimum == 7384
    assert wage_minimum_for(rows, "上海", dt.date(2026, 7, 1)) is None


# The check


def test_a_base_under_the_limit_names_the_period_and_the_notice():
    (found,) = check_wage_base(
        "6500", city="上海", on=dt.date(2026, 3, 2), table=load_wage_minimums()
    )
    assert found.code == "wage_base_below_minimum" and found.severity == "error"
    assert found.text == (
        "工资基数 6,500.00 元低于上海 2025-07-01 至 2026-06-30 的最低缴费基数 7,460 元"
        f"（{SHANGHAI_2025}）。"
    )


def test_a_base_at_the_limit_passes():
    assert check_wage_base("5000", city="甲市", on=dt.date(2026, 1, 5), table=table()) == []


def test_a_date_after_every_known_period_is_said_to_be_unknown():
    (found,) = check_wage_base(
        "6500", city="上海", on=dt.date(2026, 7, 1), table=load_wage_minimums()
    )
    assert found.code == "wage_minimum_unknown" and found.severity == "warning"
    assert found.text == (
        "上海 2026-07-01 适用的缴费基数下限在此未知：已录入的期间都不含这一天，最近的一期是 "
        f"2025-07-01 至 2026-06-30（下限 7,460 元，{SHANGHAI_2025}）。"
    )


@pytest.mark.parametrize("base", ["100", "7460", "100000"])
def test_a_2027_base_is_unknown_whatever_its_amount(base):
    found = check_wage_base(base, city="上海", on=dt.date(2027, 3, 1), table=load_wage_minimums())
    assert [f.code for f in found] == ["wage_minimum_unknown"]


def test_a_date_before_every_known_period_names_the_first_one():
    (found,) = check_wage_base("100", city="甲市", on=dt.date(2024, 1, 1), table=table())
    assert found.code == "wage_minimum_unknown"
    assert "甲市 2024-01-01 适用的缴费基数下限在此未知" in found.text
    assert "最近的一期是 2025-07-01 至 2026-06-30（下限 5,000 元" in found.text


def test_a_date_between_two_periods_names_the_one_before_it():
    later = """    - period: {from: 2027-01-01, to: 2027-12-31}
      minimum: 5400.5
      source: 甲市人社局《关于2027年度缴费基数上下限的通知》
      verified_on: 2026-12-04
"""
    rows = table(ROW + later)
    (found,) = check_wage_base("100", city="甲市", on=dt.date(2026, 9, 1), table=rows)
    assert "最近的一期是 2025-07-01 至 2026-06-30" in found.text
    (found,) = check_wage_base("5400", city="甲市", on=dt.date(2027, 5, 1), table=rows)
    assert "最低缴费基数 5,400.5 元" in found.text


@pytest.mark.parametrize("city", ["杭州", "苏州", "无锡", "宁波", "合肥", "北京"])
def test_the_demo_clients_cities_are_checked_or_said_unknown_never_sent_to_check_by_hand(city):
    rows = load_wage_minimums()
    (found,) = check_wage_base("3000", city=city, on=dt.date(2026, 12, 4), table=rows)
    assert "请人工核对" not in found.text and city in found.text
    if any(w.city == city for w in rows):
        assert found.code in {"wage_base_below_minimum", "wage_minimum_unknown"}
    else:
        assert found.code == "wage_table_missing"
        assert found.text == f"{city}的缴费基数下限在此没有记录，2026-12-04 适用的下限未知。"


def test_beijings_sourced_2024_figure_is_past_so_today_is_unknown():
    rows = load_wage_minimums()
    (found,) = check_wage_base("7000", city="北京", on=dt.date(2026, 12, 4), table=rows)
    assert found.code == "wage_minimum_unknown"
    assert "最近的一期是 2024-07-01 至 2025-06-30（下限 6,821 元" in found.text
    assert check_wage_base("7000", city="北京", on=dt.date(2025, 3, 1), table=rows) == []


def test_a_declaration_without_a_city_says_the_city_is_missing():
    (found,) = check_wage_base("3000", city="", on=dt.date(2026, 1, 5), table=table())
    assert (
        found.code == "wage_city_missing"
        and found.text == "没有填写参保城市，无法核对缴费基数下限。"
    )


# What staff are told at intake


def test_at_intake_each_city_is_said_with_its_figure_period_and_source_or_as_unknown():
    later = ROW.replace("甲市:", "乙市:").replace("甲人社", "乙人社")
    rows = table(ROW + later.split("cities:\n", 1)[1])
    said = [p.zh for p in wage_minimums_on(rows, dt.date(2026, 1, 5))]
    assert said[0] == (
        "乙市 2026-01-05 适用的缴费基数下限为 5,000 元（2025-07-01 至 2026-06-30，"
        "甲市人社局《关于2025年度缴费基数上下限的通知》（乙人社〔2025〕1号））。"
    )
    assert said[-1] == "其他城市的缴费基数下限在此没有记录。"
    after = [p.zh for p in wage_minimums_on(rows, dt.date(2026, 7, 1))]
    assert after[1].startswith("甲市 2026-07-01 适用的缴费基数下限在此未知")


def test_at_intake_the_source_and_city_are_catalog_terms_the_reader_language_translates():
    (city, *_rest) = wage_minimums_on(table(), dt.date(2026, 1, 5))
    params = city.as_json()["params"]
    assert params["city"] == {"term": "甲市"}
    assert params["source"] == {
        "term": "甲市人社局《关于2025年度缴费基数上下限的通知》（甲人社〔2025〕1号）"
    }
