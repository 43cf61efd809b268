from expedite.domain.progress import is_slipped

MINUTE = 60_000_000


def test_a_drift_within_the_tolerance_is_not_late():
    assert not is_slipped(projected_us=3 * MINUTE, planned_us=0, tolerance_us=10 * MINUTE)
    assert not is_slipped(projected_us=10 * MINUTE, planned_us=0, tolerance_us=10 * MINUTE)


def test_a_drift_past_the_tolerance_is_late_and_one_ahead_never_is():
    assert is_slipped(projected_us=11 * MINUTE, planned_us=0, tolerance_us=10 * MINUTE)
    assert not is_slipped(projected_us=0, planned_us=3 * MINUTE, tolerance_us=0)
    assert is_slipped(projected_us=1, planned_us=0, tolerance_us=0)
