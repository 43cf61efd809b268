"""Override files: a year's notice loaded as data, validated with line numbers."""

import datetime as dt
from pathlib import Path

import pytest

from expedite.domain.calendar import DayKind, WorkCalendar
from expedite.domain.calendar_data import (
    ArrangementError,
    merge_arrangements,
    parse_arrangement,
    statutory_arrangements,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "calendar-2027.example.yaml"

GOOD = """\
year: 2027
notice: 国务院办公厅关于2027年部分节假日安排的通知（示例）
holidays:
  - name: 春节
    start: 2027-02-05
    end: 2027-02-12
makeup_workdays:
  - date: 2027-02-13
    for: 春节
"""


def test_a_loaded_year_is_no_longer_provisional():
    arrangement = parse_arrangement(GOOD, source="2027.yaml")
    cal = WorkCalendar(merge_arrangements(statutory_arrangements(), [arrangement]))
    assert not cal.is_provisional(dt.date(2027, 2, 8))
    assert cal.explain(dt.date(2027, 2, 8)).kind == DayKind.HOLIDAY
    assert cal.explain(dt.date(2027, 2, 13)).kind == DayKind.MAKEUP_WORKDAY
    assert cal.add_workdays(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 13)
    assert arrangement.source.startswith("国务院办公厅")


def test_a_loaded_notice_replaces_the_law_s_holidays_for_its_year_entirely():
    # The law's days count only while the year is provisional; the notice is the whole truth.
    cal = WorkCalendar(merge_arrangements(statutory_arrangements(), [parse_arrangement(GOOD)]))
    assert cal.explain(dt.date(2027, 1, 1)).kind == DayKind.WORKDAY
    assert cal.is_workday(dt.date(2027, 4, 5)) and cal.is_workday(dt.date(2027, 10, 1))
    assert cal.explain(dt.date(2027, 2, 12)).name == "春节"
    provisional = WorkCalendar(statutory_arrangements())
    assert not provisional.is_workday(dt.date(2027, 1, 1))
    assert provisional.is_workday(dt.date(2027, 2, 12))


def test_an_override_replaces_the_package_data_for_its_year():
    correction = parse_arrangement(
        "year: 2026\nholidays:\n  - {name: 元旦, start: 2026-01-01}\nmakeup_workdays: []\n"
    )
    cal = WorkCalendar(merge_arrangements(statutory_arrangements(), [correction]))
    assert cal.is_workday(dt.date(2026, 10, 1))


def test_the_documented_example_file_is_valid():
    assert parse_arrangement(EXAMPLE.read_text(encoding="utf-8"), source=EXAMPLE.name).year == 2027


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD + "  - date: 2027-02-08\n    for: 春节\n",
            "第 10 行：2027-02-08 既是调休上班日又在第 4 行列为假日",
        ),
        (
            GOOD.replace("2027-02-13", "2027-02-15"),
            "第 8 行：2027-02-15 是工作日，调休上班日应为周末",
        ),
        (
            GOOD.replace("end: 2027-02-12", "end: 2027-02-01"),
            "第 4 行：春节 的结束日期早于开始日期",
        ),
        (GOOD.replace("start: 2027-02-05", "start: 2027-02-30"), "第 5 行：“2027-02-30”不是日期"),
        (GOOD.replace("year: 2027", "year: 二〇二七"), "第 1 行：year 应为年份数字"),
        (
            GOOD.replace("start: 2027-02-05", "start: 2028-05-01").replace(
                "end: 2027-02-12", "end: 2028-05-01"
            ),
            "不属于 2027 年",
        ),
        (GOOD.replace("    for: 春节\n", ""), "第 8 行：缺少 for"),
        ("holidays: []\n", "缺少 year"),
        ("year: 2027\nholidays: [\n", "YAML 格式错误"),
        (GOOD.replace("holidays:", "holiday:"), "第 3 行：不认识的字段“holiday”"),
        (GOOD.replace("    end: 2027-02-12\n", "    ends: 2027-02-12\n"), "不认识的字段“ends”"),
        ("year: 2027\nholidays: []\n", "没有任何假日"),
        (GOOD.replace("start: 2027-02-05", "start: 20270205"), "“20270205”不是日期"),
        (GOOD.replace("start: 2027-02-05", "start: [1, 2]"), "“列表或映射”不是日期"),
    ],
)
def test_errors_name_the_file_and_the_line(text, message):
    with pytest.raises(ArrangementError) as info:
        parse_arrangement(text, source="2027.yaml")
    assert info.value.message.startswith("2027.yaml")
    assert message in info.value.message
