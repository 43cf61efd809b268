"""`expedite audit verify`: every kind of tampering is detected and named."""

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.audit.verify import verify, write_anchor
from tests.factories import new_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chain(world):
    for i in range(3):
        new_case(
            world,
            deadline=timezone.localdate() + dt.timedelta(days=20 + i),
            reason=f"第 {i} 件",
        )
    assert verify().ok
    return list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))


def raw(sql: str, params=()) -> None:
    """Change rows behind the application's back (on PostgreSQL, past the append-only trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def problem():
    report = verify()
    assert not report.ok
    return report.findings[0]


def test_a_changed_payload_is_named(chain):
    seq = chain[3]
    raw("UPDATE audit_auditevent SET actor = %s WHERE seq = %s", ["mallory", seq])
    finding = problem()
    assert (finding.problem, finding.seq) == ("changed", seq)
    assert f"事件 #{seq}：内容被改动" in finding.describe()


def test_a_deleted_row_is_named(chain):
    seq = chain[2]
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [seq])
    finding = problem()
    assert (finding.problem, finding.seq) == ("missing", seq)


def test_two_swapped_rows_are_named(chain):
    a, b = chain[2], chain[3]
    raw("UPDATE audit_auditevent SET seq = 999999999 WHERE seq = %s", [a])
    raw("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a, b])
    raw("UPDATE audit_auditevent SET seq = %s WHERE seq = 999999999", [b])
    finding = problem()
    assert (finding.problem, finding.seq) == ("reordered", a)


def test_removing_the_last_events_is_named(chain):
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [chain[-1]])
    finding = problem()
    assert finding.problem == "truncated"


def test_an_altered_file_is_named(world, chain):
    from django.core.files.storage import default_storage

    from expedite.cases.models import Case
    from expedite.cases.triage import case_document_add

    case = Case.objects.first()
    doc = case_document_add(
        actor=world.zhang,
        case=case,
        kind="deadline_notice",
        name="通知.pdf",
        content=b"%PDF original",
    )
    assert verify().ok
    path = Path(default_storage.path(doc.file.name))
    path.write_bytes(b"%PDF forged")
    finding = problem()
    assert finding.problem == "file_altered" and "通知.pdf" in finding.detail
    path.unlink()
    assert problem().problem == "file_missing"


def test_a_case_can_be_verified_on_its_own(chain):
    from expedite.cases.models import Case

    case = Case.objects.order_by("pk").last()
    report = verify(case_id=case.pk)
    assert report.ok and report.events == 1
    seq = AuditEvent.objects.get(case=case).seq
    raw(
        "UPDATE audit_auditevent SET payload = %s WHERE seq = %s",
        [json.dumps({"reason": "改过"}), seq],
    )
    assert verify(case_id=case.pk).findings[0].problem == "changed"


def test_a_rewritten_database_is_caught_by_an_earlier_anchor(chain, tmp_path):
    from expedite.domain.audit import EventBody, canonical_bytes, event_hash

    _path, anchor = write_anchor(tmp_path)
    assert verify(anchor=anchor).ok
    # Forge history consistently: change an early event and recompute every hash after it,
    # so that the chain on its own still verifies.
    fields = ("seq", "time", "actor_kind", "actor", "kind", "case_id", "payload", "prev_hash")
    bodies = [EventBody(*r) for r in AuditEvent.objects.order_by("seq").values_list(*fields)]
    previous = None
    for body in bodies:
        if body.seq == chain[1]:
            body = EventBody(
                **{**{f: getattr(body, f) for f in body.__slots__}, "actor": "mallory"}
            )
        if previous is not None:
            body = EventBody(
                **{**{f: getattr(body, f) for f in body.__slots__}, "prev_hash": previous}
            )
        digest = event_hash(body)
        raw(
            "UPDATE audit_auditevent SET actor = %s, prev_hash = %s, hash = %s, canonical = %s"
            " WHERE seq = %s",
            [body.actor, body.prev_hash, digest, canonical_bytes(body).decode(), body.seq],
        )
        previous = digest
    raw("UPDATE audit_audithead SET hash = %s WHERE id = 1", [previous])
    assert verify().ok  # the forgery is internally consistent...
    finding = verify(anchor=anchor).findings[0]
    assert (
        finding.problem == "anchor" and finding.seq == anchor["seq"]
    )  # ...but not with the anchor


def test_the_command_exits_1_and_names_the_first_problem(chain):
    raw("UPDATE audit_auditevent SET actor = %s WHERE seq = %s", ["mallory", chain[1]])
    with pytest.raises(CommandError, match=f"事件 #{chain[1]}：内容被改动") as info:
        call_command("audit", "verify", stdout=StringIO())
    assert info.value.returncode == 1


def test_the_command_says_ok_and_writes_anchors(chain, settings, tmp_path):
    settings.EXPEDITE_ANCHOR_DIR = tmp_path
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "完好" in out.getvalue()
    call_command("audit", "anchor", stdout=StringIO())
    (anchor_file,) = tmp_path.iterdir()
    out = StringIO()
    call_command("audit", "verify", "--anchor", str(anchor_file), "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_itself_refuses_to_change_audit_rows(chain):
    from django.db import DatabaseError, transaction

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET actor = 'x' WHERE seq = %s", [chain[0]])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [chain[0]])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_to_truncate_the_record(chain):
    from django.db import DatabaseError, transaction

    from expedite.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    for table in ("audit_auditevent", "audit_audithead"):
        with (
            pytest.raises(DatabaseError, match="cannot be truncated"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            # What the application's connection has: the test runner's allowance switched off.
            cursor.execute("SET LOCAL expedite.allow_truncate = 'off'")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.count() == before


APPEND = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
import django
django.setup()
from django.db import transaction
from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
for i in range(int(sys.argv[1])):
    with transaction.atomic():
        audit_record(kind=AuditKind.DEMO_LOADED, payload={"writer": sys.argv[2], "i": i})
"""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="several processes need a shared server"
)
def test_several_processes_appending_at_once_keep_one_linear_chain(db, tmp_path):
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "EXPEDITE_VAR_DIR": str(tmp_path)}
    before = AuditEvent.objects.count()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND, "40", f"w{n}"], env=env, stderr=subprocess.PIPE
        )
        for n in range(4)
    ]
    for w in writers:
        _out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err.decode()[-2000:]
    assert AuditEvent.objects.count() == before + 160
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate
    assert verify().ok  # and no fork: every event links to the one before it


def test_payloads_that_databases_would_rewrite_still_verify(world):
    from django.db import transaction

    from expedite.audit.services import audit_record
    from expedite.domain.audit import AuditKind

    with transaction.atomic():
        audit_record(
            kind=AuditKind.DEMO_LOADED,
            payload={"big": 1e16, "zero": -0.0, 7: "int key", "p": 0.5774},
        )
    stored = AuditEvent.objects.get(kind="demo.loaded").payload
    assert stored == {"big": "1e+16", "zero": "-0.0", "7": "int key", "p": "0.5774"}
    assert verify().ok


@pytest.mark.parametrize("content", ["[1, 2]", '{"seq": "x", "hash": "0"}', "{}", "not json"])
def test_a_bad_anchor_file_is_a_clear_error(world, tmp_path, content):
    path = tmp_path / "anchor.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match="锚点") as info:
        call_command("audit", "verify", "--anchor", str(path), stdout=StringIO())
    assert info.value.returncode == 2


def test_verifying_an_unknown_case_is_a_clear_error(world):
    with pytest.raises(CommandError, match="找不到加急单") as info:
        call_command("audit", "verify", "--case", "99999", stdout=StringIO())
    assert info.value.returncode == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_to_move_the_head_back(chain):
    from django.db import DatabaseError, transaction

    with (
        pytest.raises(DatabaseError, match="only moves forward"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_audithead SET seq = seq - 1 WHERE id = 1")
