"""The pure rules of delivery: the client's evaluation, when a case may be confirmed, the
confirmation record that is printed and signed, and plan-vs-actual dates."""

import datetime as dt

import pytest

from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import CaseState
from expedite.domain.delivery import (
    ConfirmationRecord,
    DateRow,
    Evaluation,
    check_confirmable,
    check_evaluation,
    slip_text,
)
from expedite.domain.errors import ValidationFailed


def test_an_evaluation_is_one_of_three_and_an_unhappy_one_needs_a_reason():
    assert check_evaluation("satisfied", "  很快 ") == (Evaluation.SATISFIED, "很快")
    assert check_evaluation("mostly", "") == (Evaluation.MOSTLY, "")
    with pytest.raises(ValidationFailed, match="请选择您对结果的评价"):
        check_evaluation("", "")
    with pytest.raises(ValidationFailed, match="请选择您对结果的评价"):
        check_evaluation("5", "")
    with pytest.raises(ValidationFailed) as info:
        check_evaluation("unsatisfied", " ")
    assert info.value.field == "remark"
    with pytest.raises(ValidationFailed, match="不能超过 500"):
        check_evaluation("satisfied", "字" * 501)


def test_only_a_delivered_case_with_a_result_is_confirmed_and_only_once():
    check_confirmable(CaseState.DELIVERED, result_files=1, confirmed=False)
    with pytest.raises(ValidationFailed, match="尚未交付"):
        check_confirmable(CaseState.REVIEW, result_files=1, confirmed=False)
    with pytest.raises(ValidationFailed, match="尚未上传结果文件"):
        check_confirmable(CaseState.DELIVERED, result_files=0, confirmed=False)
    with pytest.raises(ValidationFailed, match="不能重复确认"):
        check_confirmable(CaseState.CONFIRMED, result_files=1, confirmed=True)


def test_the_record_names_who_when_where_and_which_code_in_local_time():
    record = ConfirmationRecord(
        case_reference="JJ-2026-00042",
        client_name="上海鲜达电子商务有限公司",
        contact_name="周婷",
        confirmed_at=dt.datetime(2026, 11, 26, 7, 30, tzinfo=dt.UTC),
        ip="203.0.113.9",
        code_id=77,
        evaluation=Evaluation.MOSTLY,
        remark="",
    )
    lines = dict(record.lines(SHANGHAI))
    assert lines["确认时间"] == "2026-11-26 15:30:00 (UTC+0800)"
    assert lines["确认 IP"] == "203.0.113.9" and lines["验证码编号"] == "#77"
    assert lines["客户评价"] == "基本满意"
    reason = record.signature_reason(SHANGHAI)
    assert reason.startswith("客户确认加急单 JJ-2026-00042 的办理结果。")
    assert "周婷（上海鲜达电子商务有限公司）" in reason and "#77" in reason


def test_slip_is_counted_in_working_days_and_unknown_stays_unknown():
    from expedite.domain.calendar import WorkCalendar
    from expedite.domain.calendar_data import statutory_arrangements

    cal = WorkCalendar(statutory_arrangements())
    assert DateRow("x", dt.date(2026, 11, 27), dt.date(2026, 11, 26)).slip_workdays(cal) == -1
    # Friday → the next Monday is one working day late, not three days.
    assert DateRow("x", dt.date(2026, 11, 27), dt.date(2026, 11, 30)).slip_workdays(cal) == 1
    # Across 春节 2026 (15–23 February off, 14 February a make-up Saturday): 13 → 24 February
    # is two working days (the 13th and the 14th), not eleven.
    assert DateRow("x", dt.date(2026, 2, 13), dt.date(2026, 2, 24)).slip_workdays(cal) == 2
    assert DateRow("x", dt.date(2026, 11, 27), None).slip_workdays(cal) is None
    assert [slip_text(d) for d in (-2, 0, 3, None)] == [
        "提前 2 个工作日",
        "按期",
        "晚 3 个工作日",
        "—",
    ]
