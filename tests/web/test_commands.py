import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.batches.demo import SUBSIDIARIES
from expedite.cases.demo_layout import Layout
from expedite.cases.models import Case, Client, ServiceType
from expedite.delivery.demo import DEMO_DELIVERY_CASES
from expedite.imports.demo import IMPORTED
from expedite.kpi.demo import ONE_OFF_CLIENTS, history_plan
from expedite.learning.demo import FINISHED as LEARNING_CASES
from expedite.materials.demo import DEMO_MATERIAL_CASES
from expedite.notify.models import WebhookAttempt, WebhookEndpoint
from expedite.ops.demo import DEMO_CASES, DEMO_MOVES, DEMO_USERS, demo_load
from expedite.radar.models import RadarOutreach
from expedite.requests.demo import REQUESTED
from expedite.reviews.demo import DEMO_REVIEW_CASES

pytestmark = pytest.mark.django_db


def test_catalog_load_is_idempotent():
    call_command("catalog", "load", stdout=StringIO())
    assert ServiceType.objects.filter(code="business-change", standard_workdays=7).exists()
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("catalog", "load", stdout=out)
    assert "0 created, 0 updated, 0 retired" in out.getvalue()
    assert AuditEvent.objects.count() == events


def test_a_broken_catalog_file_is_refused_naming_the_key(tmp_path):
    bad = tmp_path / "firm.yaml"
    bad.write_text("services:\n  - code: x\n    name_zh: 甲\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"firm\.yaml"):
        call_command("catalog", "load", str(bad))


def test_catalog_check_refuses_a_file_with_a_text_lacking_english(tmp_path):
    from expedite.catalog import default_catalog_text

    out = StringIO()
    call_command("catalog", "check", stdout=out)
    assert "OK" in out.getvalue()
    text = default_catalog_text()
    assert "\n  初审: First review\n" in text
    firm = tmp_path / "firm.yaml"
    firm.write_text(text.replace("\n  初审: First review\n", "\n"), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("catalog", "check", str(firm), stdout=StringIO())
    assert info.value.returncode == 2
    assert str(info.value) == (
        f"{firm}: services[business-change].steps[first-review].name: "
        "缺少英文“初审”，请在 english 中补上。"
    )
    with pytest.raises(CommandError, match="缺少英文“初审”"):
        call_command("catalog", "load", str(firm), stdout=StringIO())
    assert not ServiceType.objects.exists()


def test_demo_loads_every_role_and_the_seed_examples_once(catalog, clock):
    first = demo_load(now=timezone.now())
    history = len(history_plan(timezone.localdate()))
    assert history >= 30  # six months of finished cases for the KPI trends
    radar = RadarOutreach.objects.count()
    assert radar == 2  # the liaison's two proposals from the radar, each a case
    assert first == {
        "users": len(DEMO_USERS),
        "clients": 4 + IMPORTED,
        "cases": len(DEMO_CASES)
        + len(DEMO_REVIEW_CASES)
        + len(SUBSIDIARIES)
        + len(LEARNING_CASES)
        + REQUESTED
        + history
        + radar,
    }
    clock.shift(dt.timedelta(days=1))
    assert demo_load(now=timezone.now()) == {"users": 0, "clients": 0, "cases": 0}
    # One disabled webhook endpoint with its past deliveries: one retried, one at once.
    (hook,) = WebhookEndpoint.objects.all()
    assert not hook.active
    assert [a.status_code for a in WebhookAttempt.objects.order_by("at", "pk")] == [503, 200, 200]
    assert Client.objects.count() == (
        4 + len(ONE_OFF_CLIENTS) + len(SUBSIDIARIES) + REQUESTED + IMPORTED
    )
    assert (
        Case.objects.count()
        == len(DEMO_CASES)
        + len(DEMO_REVIEW_CASES)
        + len(SUBSIDIARIES)
        + len(DEMO_MATERIAL_CASES)
        + len(LEARNING_CASES)
        + len(DEMO_DELIVERY_CASES)
        + REQUESTED
        + history
        + radar
    )
    from django.contrib.auth.models import User

    verdicts = set(Case.objects.values_list("verdict", flat=True))
    assert verdicts == {"", "not_needed", "expedite", "infeasible", "refused", "blocked"}
    # Each seed example shows the verdict it is there for, whatever the instant it loaded at.
    for _client, service, where, reason, _triage in DEMO_CASES:
        case = Case.objects.get(service__code=service, reason=reason)
        if isinstance(where, Layout):
            assert case.verdict == where.verdict, (service, case.triage.get("summary"))
            if where.meets is not None:
                assert case.triage["recommended_option"]["meets_deadline"] is where.meets
    moved = {
        s: Case.objects.get(service__code=s, reason__in=[c[3] for c in DEMO_CASES]).state
        for s in DEMO_MOVES
    }
    assert moved == {"labor-dispatch-license": "in_progress", "foreign-equity-change": "on_hold"}
    roles = set(User.objects.values_list("groups__name", flat=True))
    assert {
        "liaison",
        "process",
        "risk",
        "supervisor",
        "manager",
        "general_manager",
        "admin",
    } <= roles


def test_setup_loads_demo_data_on_a_new_database_only(make_user):
    call_command("setup", stdout=StringIO())
    expected = len(DEMO_CASES) + len(DEMO_REVIEW_CASES) + len(DEMO_MATERIAL_CASES)
    expected += len(SUBSIDIARIES) + REQUESTED
    expected += (
        len(LEARNING_CASES) + len(DEMO_DELIVERY_CASES) + len(history_plan(timezone.localdate()))
    )
    assert RadarOutreach.objects.count() == 2  # the radar's proposals, a case each
    expected += 2
    assert Case.objects.count() == expected
    out = StringIO()
    call_command("setup", stdout=out)
    assert "demo:" not in out.getvalue()
    assert Case.objects.count() == expected


def test_setup_never_adds_demo_data_to_a_database_in_use(make_user):
    make_user("someone")
    call_command("setup", stdout=StringIO())
    assert Case.objects.count() == 0
    assert ServiceType.objects.exists()


def test_the_models_and_the_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_demo_on_a_database_without_a_catalog_loads_the_catalog_first():
    assert not ServiceType.objects.exists()
    out = StringIO()
    call_command("demo", stdout=out)
    assert out.getvalue().startswith("catalog expedite/catalog/services.yaml:")
    assert ServiceType.objects.filter(active=True).exists()
    assert "demo: 9 users" in out.getvalue()
    assert Case.objects.filter(reason__in=[c[3] for c in DEMO_CASES]).count() == len(DEMO_CASES)
