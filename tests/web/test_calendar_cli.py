"""`expedite calendar …` as an operator types it.

Plain answers, --json, and exit code 2 on bad input.
"""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "calendar-2027.example.yaml"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_is_workday_prints_true_or_false():
    assert run("is-workday", "2026-02-14") == ("true", "")  # 调休上班
    assert run("is-workday", "2026-10-01") == ("false", "")


def test_add_and_between_print_plain_answers():
    assert run("add", "2026-02-13", "1")[0] == "2026-02-14"
    assert run("add", "2026-02-24", "-1")[0] == "2026-02-14"
    assert run("between", "2026-11-23", "2026-11-30")[0] == "5"


def test_explain_says_which_holiday():
    assert run("explain", "2026-02-14")[0] == "2026-02-14 周六 调休上班（春节）"


def test_json_output_marks_provisional_years():
    # 2027's notice is not out: New Year's Day is off by law, the make-up days are unknown.
    out, _ = run("add", "2026-12-30", "5", "--json")
    assert json.loads(out) == {
        "date": "2026-12-30",
        "n": 5,
        "result": "2027-01-07",
        "provisional": True,
    }
    out, err = run("add", "2026-12-30", "5")
    assert out == "2027-01-07" and "暂定" in err
    assert (
        json.loads(run("between", "2026-01-01", "2027-01-01", "--json")[0])["provisional"] is False
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("is-workday", "2026-02-30"), "不是有效日期"),
        (("add", "2026-01-05", "many"), "不是整数"),
        (("add", "2026-01-05", "99999999"), "过大"),
        (("add", "2099-12-01", "500"), "超出日历支持范围"),
        (("explain", "1999-01-01"), "超出日历支持范围"),
        (("load", "/nonexistent.yaml"), "找不到文件"),
    ],
)
def test_bad_input_is_a_clear_message_with_exit_code_2(args, message):
    with pytest.raises(CommandError, match=message) as info:
        run(*args)
    assert info.value.returncode == 2


def test_a_provisional_year_s_statutory_holiday_says_so():
    out, err = run("is-workday", "2027-01-01")
    assert out == "false" and "调休上班日未知" in err
    day = json.loads(run("explain", "2027-02-08", "--json")[0])
    assert day["workday"] is False and day["kind"] == "holiday" and day["name"] == "春节"
    assert day["provisional"] is True
    assert run("explain", "2027-02-08")[0] == (
        "2027-02-08 周一 法定节假日（春节）［暂定：该年度放假安排尚未公布，"
        "已按《全国年节及纪念日放假办法》计入法定节假日，调休上班日未知］"
    )


def test_load_makes_the_year_known():
    assert json.loads(run("explain", "2027-02-08", "--json")[0])["provisional"] is True
    out, _ = run("load", str(EXAMPLE))
    assert out.startswith("已载入 2027 年放假安排")
    day = json.loads(run("explain", "2027-02-08", "--json")[0])
    assert day == {
        "date": "2027-02-08",
        "workday": False,
        "kind": "holiday",
        "name": "春节",
        "provisional": False,
        "text": "2027-02-08 周一 法定节假日（春节）",
    }


def test_a_broken_file_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "2027.yaml"
    bad.write_text(
        "year: 2027\nmakeup_workdays:\n  - date: 2027-02-10\n    for: 春节\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="第 3 行：2027-02-10 是工作日") as info:
        run("load", str(bad))
    assert info.value.returncode == 2
    assert json.loads(run("explain", "2027-02-10", "--json")[0])["provisional"] is True


def test_the_real_command_line_exits_2_without_a_traceback(tmp_path):
    env = {"EXPEDITE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "expedite", "calendar", "add", "not-a-date", "3"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "不是有效日期" in result.stderr
    assert "Traceback" not in result.stderr
