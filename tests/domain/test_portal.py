import datetime as dt

from expedite.domain.codes import (
    CODE_MAX_ATTEMPTS,
    CodeProblem,
    CodeState,
    check_code,
    code_digest,
    new_code,
)
from expedite.domain.portal import (
    MilestoneState,
    StepFact,
    mask_email,
    mask_name,
    mask_phone,
    milestone_states,
)

KEY = b"k" * 32
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def test_contacts_are_masked_enough_to_recognise_not_to_harvest():
    assert mask_name("周婷") == "周*"
    assert mask_name("Wang Wei") == "W***"
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("+86 138 0000 0001") == "138****0001"
    assert mask_phone("021-5555") == "*****55"
    assert mask_email("zhou.ting@example.com") == "z***@example.com"
    assert mask_email("not-an-address") == ""


def _state(code: str, *, attempts=0, used=False, expires=NOW + dt.timedelta(minutes=10)):
    return CodeState(code_digest(code, key=KEY, scope="portal:7"), expires, attempts, used)


def test_a_code_proves_only_its_own_row_once_in_time_within_five_attempts():
    code = new_code()
    assert len(code) == 6 and code.isdigit()
    state = _state(code)
    assert check_code(state, code, key=KEY, scope="portal:7", now=NOW) is None
    assert check_code(state, code, key=KEY, scope="portal:8", now=NOW) == CodeProblem.WRONG
    wrong = "000000" if code != "000000" else "111111"
    assert check_code(state, wrong, key=KEY, scope="portal:7", now=NOW) == CodeProblem.WRONG
    assert check_code(state, f" {code}x", key=KEY, scope="portal:7", now=NOW) == CodeProblem.WRONG
    late = NOW + dt.timedelta(minutes=10)
    assert check_code(state, code, key=KEY, scope="portal:7", now=late) == CodeProblem.EXPIRED
    used = _state(code, used=True)
    assert check_code(used, code, key=KEY, scope="portal:7", now=NOW) == CodeProblem.USED
    spent = _state(code, attempts=CODE_MAX_ATTEMPTS)
    assert check_code(spent, code, key=KEY, scope="portal:7", now=NOW) == CodeProblem.EXHAUSTED
    assert check_code(None, code, key=KEY, scope="portal:7", now=NOW) == CodeProblem.NONE


MILESTONES = ["材料审核中", "部门审批中", "待领取"]


def _states(steps):
    return [s for _m, s in milestone_states(MILESTONES, steps)]


def test_the_first_unfinished_steps_milestone_is_current_and_all_before_it_done():
    steps = [
        StepFact("材料审核中", True),
        StepFact("", False),  # a step the client does not see
        StepFact("材料审核中", True),
        StepFact("部门审批中", False),
        StepFact("待领取", False),
    ]
    assert _states(steps) == [MilestoneState.DONE, MilestoneState.CURRENT, MilestoneState.TODO]
    assert _states([]) == [MilestoneState.TODO] * 3
    assert _states([StepFact(m, True) for m in MILESTONES]) == [MilestoneState.DONE] * 3
    first = [StepFact("材料审核中", False), StepFact("部门审批中", False)]
    assert _states(first)[0] == MilestoneState.CURRENT
