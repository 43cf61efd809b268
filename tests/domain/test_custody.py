"""Custody rules: who confirms, when an item is overdue, how a one-time code is checked."""

import datetime as dt

import pytest

from expedite.domain.calendar import SHANGHAI, WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.codes import (
    CODE_MAX_ATTEMPTS,
    CodeProblem,
    CodeState,
    check_code,
    code_digest,
    new_code,
)
from expedite.domain.custody import (
    MovementKind,
    check_expected_return,
    confirming_staff_id,
    is_overdue,
    overdue_cutoff,
)
from expedite.domain.errors import ValidationFailed

CAL = WorkCalendar(statutory_arrangements())
KEY = b"k" * 32


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def test_due_the_day_before_national_day_is_overdue_during_the_holiday():
    due = dt.date(2026, 9, 30)  # Wednesday; 10-01 to 10-07 are 国庆 holidays
    assert not is_overdue(CAL, due, at(2026, 9, 30, 17, 59))
    assert is_overdue(CAL, due, at(2026, 9, 30, 18, 1))
    assert is_overdue(CAL, due, at(2026, 10, 2))
    assert overdue_cutoff(CAL, at(2026, 10, 2)) == dt.date(2026, 10, 2)


def test_due_on_friday_is_overdue_on_saturday_but_not_on_friday_afternoon():
    friday = dt.date(2026, 11, 27)
    assert not is_overdue(CAL, friday, at(2026, 11, 27, 15))
    assert is_overdue(CAL, friday, at(2026, 11, 28, 9))
    assert not is_overdue(CAL, dt.date(2026, 11, 30), at(2026, 11, 28, 9))
    assert not is_overdue(CAL, None, at(2030, 1, 1))


def test_utc_now_is_read_on_the_firms_clock():
    # 2026-11-27 10:30 UTC is 18:30 in Shanghai: the Friday's working hours are over.
    now = dt.datetime(2026, 11, 27, 10, 30, tzinfo=dt.UTC)
    assert is_overdue(CAL, dt.date(2026, 11, 27), now)


def test_a_holiday_return_date_is_refused_with_the_next_working_day_suggested():
    with pytest.raises(ValidationFailed) as err:
        check_expected_return(CAL, dt.date(2026, 10, 1), today=dt.date(2026, 9, 28))
    assert "国庆节" in err.value.message and "2026-10-08" in err.value.message
    with pytest.raises(ValidationFailed, match="2026-11-30"):
        check_expected_return(CAL, dt.date(2026, 11, 28), today=dt.date(2026, 11, 26))
    with pytest.raises(ValidationFailed, match="不能早于今天"):
        check_expected_return(CAL, dt.date(2026, 11, 25), today=dt.date(2026, 11, 26))
    check_expected_return(CAL, dt.date(2026, 10, 10), today=dt.date(2026, 9, 28))  # 调休上班


def test_the_other_party_confirms_a_transfer_never_the_recorder():
    assert confirming_staff_id(MovementKind.TRANSFER, recorded_by=1, from_user=1, to_user=2) == 2
    # A supervisor who takes an item over: the giver confirms.
    assert confirming_staff_id(MovementKind.TRANSFER, recorded_by=3, from_user=1, to_user=3) == 1
    assert (
        confirming_staff_id(MovementKind.CHECK_IN, recorded_by=1, from_user=None, to_user=1) is None
    )


EXPIRES = at(2026, 11, 26, 10, 30)


def _state(code, *, attempts=0, used=False):
    return CodeState(code_digest(code, key=KEY, scope="custody:7"), EXPIRES, attempts, used)


def test_codes_are_six_digits_and_bound_to_their_movement():
    codes = {new_code() for _ in range(50)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 1
    assert code_digest("123456", key=KEY, scope="custody:7") != code_digest(
        "123456", key=KEY, scope="custody:8"
    )
    assert "123456" not in code_digest("123456", key=KEY, scope="custody:7")


@pytest.mark.parametrize(
    ("state", "entered", "now", "problem"),
    [
        (_state("123456"), "123456", at(2026, 11, 26, 10, 29), None),
        (_state("123456"), " 123456 ", at(2026, 11, 26, 10, 29), None),
        (_state("123456"), "654321", at(2026, 11, 26, 10, 29), CodeProblem.WRONG),
        (_state("123456"), "123456", at(2026, 11, 26, 10, 30), CodeProblem.EXPIRED),
        (
            _state("123456", attempts=CODE_MAX_ATTEMPTS),
            "123456",
            at(2026, 11, 26, 10),
            CodeProblem.EXHAUSTED,
        ),
        (_state("123456", used=True), "123456", at(2026, 11, 26, 10), CodeProblem.USED),
        (None, "123456", at(2026, 11, 26, 10), CodeProblem.NONE),
    ],
)
def test_check_code(state, entered, now, problem):
    assert check_code(state, entered, key=KEY, scope="custody:7", now=now) == problem
