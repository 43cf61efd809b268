"""Retention: nothing goes before the legal minimum; a purge keeps the chain verifiable."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.audit.verify import verify
from expedite.cases.models import Case, CaseDocument
from expedite.cases.services import case_create
from expedite.cases.triage import case_document_add
from expedite.domain.errors import ValidationFailed
from expedite.records.retention import retention_purge

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def old_and_new(world, clock):
    long_ago = dt.datetime(2020, 1, 6, 10, tzinfo=dt.UTC)
    back = timezone.now()
    # A case handled in 2020: its events carry 2020 times (and hashes over them).
    clock.move_to(long_ago)
    old = case_create(
        actor=world.zhang,
        client_id=world.acme.pk,
        service_code="business-change",
        requested_deadline=long_ago.date(),
        reason="旧案",
        now=long_ago,
    )
    case_document_add(
        actor=world.zhang, case=old, kind="deadline_notice", name="旧.pdf", content=b"%PDF old"
    )
    clock.move_to(back)
    new = case_create(
        actor=world.zhang,
        client_id=world.acme.pk,
        service_code="business-change",
        requested_deadline=timezone.localdate(),
        reason="新案",
        now=timezone.now(),
    )
    Case.objects.filter(pk=old.pk).update(state="closed", updated_at=long_ago)
    return old, new


def test_a_case_with_anything_recorded_recently_is_kept(world, old_and_new):
    from expedite.cases.costs import cost_entry_add

    old, _new = old_and_new
    cost_entry_add(actor=world.li, case=old, kind="other", description="补记", amount=10)
    Case.objects.filter(pk=old.pk).update(updated_at=dt.datetime(2020, 1, 6, 10, tzinfo=dt.UTC))
    assert retention_purge(before=dt.date(2021, 1, 1), today=timezone.localdate())["cases"] == []
    assert Case.objects.filter(pk=old.pk).exists()


def test_a_forged_purge_record_does_not_hide_a_deletion(world, old_and_new):
    import hashlib
    import json

    from django.db import connection, transaction

    from expedite.audit.services import audit_record
    from expedite.domain.audit import AuditKind

    _old, new = old_and_new
    event = AuditEvent.objects.get(case=new)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [event.seq])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    listed = {
        "before": "2021-01-01",
        "cases": [new.reference],
        "removed_events": [[event.seq, event.hash]],
        "documents": [],
        "costs": 0,
    }
    digest = hashlib.sha256(
        json.dumps(listed, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    with transaction.atomic():
        audit_record(kind=AuditKind.RETENTION_PURGED, payload={**listed, "sha256": digest})
    assert verify().findings[0].problem == "missing"  # the case still exists: not a purge


def test_nothing_younger_than_three_years_can_be_purged(old_and_new):
    with pytest.raises(ValidationFailed, match="保存期至少 3 年"):
        retention_purge(
            before=timezone.localdate() - dt.timedelta(days=365), today=timezone.localdate()
        )


def test_a_dry_run_lists_and_changes_nothing(old_and_new):
    old, _new = old_and_new
    out = StringIO()
    call_command("retention", "purge", "--before", "2021-01-01", "--dry-run", stdout=out)
    assert (
        "将清除 1 件加急单、2 个事件、1 个文件" in out.getvalue()
        and old.reference in out.getvalue()
    )
    assert Case.objects.filter(pk=old.pk).exists()


def test_a_purge_removes_the_old_case_records_itself_and_the_chain_still_verifies(old_and_new):
    old, new = old_and_new
    result = retention_purge(before=dt.date(2021, 1, 1), today=timezone.localdate())
    assert result["cases"] == [old.reference]
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not CaseDocument.objects.filter(case_id=old.pk).exists()
    assert Case.objects.filter(pk=new.pk).exists()
    purge = AuditEvent.objects.get(kind="retention.purged")
    assert purge.payload["events"] == 2 and len(purge.payload["sha256"]) == 64
    assert verify().ok  # bridged over the removed events by the purge's own list


def test_removing_events_any_other_way_is_still_caught(old_and_new):
    from django.db import connection

    old, _new = old_and_new
    seq = AuditEvent.objects.filter(case=old).values_list("seq", flat=True).first()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [seq])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    assert verify().findings[0].problem == "missing"


def test_the_command_refuses_a_date_inside_the_retention_period(old_and_new):
    with pytest.raises(CommandError, match="保存期至少") as info:
        call_command(
            "retention", "purge", "--before", timezone.localdate().isoformat(), stdout=StringIO()
        )
    assert info.value.returncode == 2


def test_settings_refuse_less_than_three_years(tmp_path):
    import subprocess
    import sys

    env = {
        "EXPEDITE_RETENTION_YEARS": "2",
        "PATH": "/usr/bin:/bin",
        "EXPEDITE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "expedite", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "at least 3" in result.stderr


def test_a_case_that_was_run_goes_with_everything_recorded_under_it(world, old_and_new):
    """Team, tracks, steps, portal link, outbox messages: all rows of the case are removed."""
    from expedite.notify.models import OutboxMessage
    from expedite.notify.services import enqueue
    from expedite.work.models import Assignment, StepRun, Track

    old, _new = old_and_new
    track = Track.objects.create(
        case=old, name="市场监管局", updated_at=dt.datetime(2020, 1, 6, tzinfo=dt.UTC)
    )
    StepRun.objects.create(
        case=old,
        track=track,
        code="submit",
        name="网上申报",
        role="process",
        duration_us=1,
        planned_start=dt.datetime(2020, 1, 6, tzinfo=dt.UTC),
        planned_finish=dt.datetime(2020, 1, 7, tzinfo=dt.UTC),
    )
    Assignment.objects.create(case=old, role="process", user=world.li, status="confirmed")
    enqueue(
        key="old:1",
        channel="inapp",
        user=world.li,
        case=old,
        subject="旧",
        body="旧",
        now=dt.datetime(2020, 1, 6, tzinfo=dt.UTC),
    )
    result = retention_purge(before=dt.date(2021, 1, 1), today=timezone.localdate())
    assert result["removed"] == 1
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not StepRun.objects.filter(case_id=old.pk).exists()
    assert not Track.objects.filter(case_id=old.pk).exists()
    assert not OutboxMessage.objects.filter(key="old:1").exists()
    assert verify().ok
