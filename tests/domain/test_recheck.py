"""When a case's risk outcome can next change, from its steps alone (domain/recheck.py)."""

import random

import pytest

from expedite.domain.progress import StepStatus, project
from expedite.domain.recheck import HOUR_US, end_drift, recheck_at

MINUTE = 60_000_000


def outcome(steps, w, deadline, threshold):
    """What the watch acts on at w: the conditions and the figures their reasons state."""
    p = project(steps, w)
    done = all(s.finished_us is not None for s in steps)
    slack = deadline - p.end
    late, at_risk = slack < 0, not done and slack < threshold
    return (
        late,
        at_risk,
        p.end if late else None,
        round(slack / HOUR_US, 1) if at_risk and not late else None,
    )


def random_case(rng):
    steps, now = [], 500 * HOUR_US
    for i in range(rng.randint(1, 5)):
        deps = tuple(f"s{j}" for j in range(i) if rng.random() < 0.4)
        kind = rng.choice(["done", "running", "waiting"])
        dur = rng.randint(1, 40) * HOUR_US // 4 + rng.randint(0, MINUTE)
        if kind == "done":
            start = now - rng.randint(10, 100) * HOUR_US
            steps.append(StepStatus(f"s{i}", deps, dur, start, start + dur))
        elif kind == "running":
            steps.append(StepStatus(f"s{i}", deps, dur, now - rng.randint(0, 30) * HOUR_US))
        else:
            steps.append(StepStatus(f"s{i}", deps, dur))
    return steps, now


@pytest.mark.parametrize("seed", range(40))
def test_nothing_the_watch_acts_on_changes_before_the_recheck_point(seed):
    rng = random.Random(seed)
    steps, now = random_case(rng)
    deadline = now + rng.randint(-20, 120) * HOUR_US + rng.randint(0, HOUR_US)
    threshold = rng.choice([0, 8, 24]) * HOUR_US
    at = recheck_at(steps, now, deadline_us=deadline, threshold_us=threshold)
    horizon = at if at is not None else now + 400 * HOUR_US
    assert horizon > now
    before = outcome(steps, now, deadline, threshold)
    probes = {now, horizon - 1, *(rng.randint(now, horizon - 1) for _ in range(30))}
    for w in probes:
        assert outcome(steps, w, deadline, threshold) == before, (seed, w - now)


def test_a_finished_case_is_not_looked_at_again_until_it_changes():
    steps = [StepStatus("a", (), HOUR_US, 0, HOUR_US)]
    assert recheck_at(steps, 5 * HOUR_US, deadline_us=0, threshold_us=HOUR_US) is None


def test_a_running_step_within_its_time_is_looked_at_when_it_overruns():
    steps = [StepStatus("a", (), 4 * HOUR_US, 0)]
    at = recheck_at(steps, HOUR_US, deadline_us=100 * HOUR_US, threshold_us=HOUR_US)
    assert at == 4 * HOUR_US + 1


def test_low_slack_is_looked_at_when_the_tenth_of_an_hour_it_states_changes():
    steps = [StepStatus("a", (), 2 * HOUR_US)]  # not started: it ends two hours from now
    deadline = 2 * HOUR_US + HOUR_US  # an hour of slack
    at = recheck_at(steps, 0, deadline_us=deadline, threshold_us=8 * HOUR_US)
    assert outcome(steps, at - 1, deadline, 8 * HOUR_US)[3] == 1.0
    assert outcome(steps, at, deadline, 8 * HOUR_US)[3] == 0.9


@pytest.mark.parametrize("seed", range(20))
def test_the_end_later_follows_from_end_and_drift_taken_earlier(seed):
    rng = random.Random(seed)
    steps, now = random_case(rng)
    found = end_drift(steps, now)
    if found is None:
        return
    end, drift = found
    for later in (now, now + 1, *(now + rng.randint(0, 300 * HOUR_US) for _ in range(20))):
        assert project(steps, later).end == max(end, later + drift)
