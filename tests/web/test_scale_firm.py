"""The scale firm the page benchmark measures (expedite.ops.scale): built as the product builds
one, at whatever instant the suite is pinned to."""

from __future__ import annotations

import random
from collections import Counter

from django.utils import timezone

from expedite.audit.verify import verify
from expedite.cases.models import Case
from expedite.kpi.models import Delivery
from expedite.ops.scale import HISTORY_STATES, MIX, _targets, scale_load
from expedite.portal.models import PortalLink
from expedite.reviews.models import Review
from expedite.work.models import Assignment, StepRun


def test_a_small_firm_has_every_story_and_an_unbroken_audit_chain(catalog, clock):
    now = timezone.now()
    states = scale_load(cases=60, seed=3, now=now, move_clock=clock.move_to)

    assert not [k for k in states if k.startswith("stopped")], states
    assert sum(states.values()) == Case.objects.count() == 60
    assert {"closed", "delivered", "confirmed", "declined", "in_progress"} <= set(states)
    report = verify()
    assert report.ok, report.as_dict()
    assert report.events > 60 * 5
    # Nothing dated after the instant the firm is laid out at.
    assert not Case.objects.filter(created_at__gt=now).exists()
    assert not StepRun.objects.filter(finished_at__gt=now).exists()


def test_finished_cases_carry_what_the_services_would_have_left(catalog, clock):
    scale_load(cases=40, seed=5, now=timezone.now(), move_clock=clock.move_to)

    finished = Case.objects.filter(state__in=HISTORY_STATES)
    assert finished.exists()
    for case in finished:
        assert case.reference and case.triage["recommended_option"]
        assert PortalLink.objects.filter(case=case).exists()
        assert Assignment.objects.filter(case=case, status="confirmed").count() == 3
        steps = StepRun.objects.filter(case=case)
        assert steps.exists() and not steps.filter(finished_at__isnull=True).exists()
        assert Review.objects.filter(case=case, passed=True).count() == 2
        assert Delivery.objects.filter(case=case).exists()
        kinds = set(case.audit_events.values_list("kind", flat=True))
        assert {"case.created", "case.triaged", "case.step_finished"} <= kinds
    # Cases accepted through the services had their plan laid out by the lifecycle follower.
    running = Case.objects.filter(state__in=("in_progress", "review"))
    assert all(StepRun.objects.filter(case=c).exists() for c in running)


def test_the_mix_is_exact_and_follows_the_seed():
    first = _targets(1000, random.Random(7))
    assert Counter(first) == {state: round(share * 1000) for state, share in MIX.items()}
    assert first == _targets(1000, random.Random(7))
    assert len(_targets(37, random.Random(1))) == 37
