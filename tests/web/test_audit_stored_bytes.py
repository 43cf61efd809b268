"""Verify hashes each event's stored canonical bytes: a column changed on its own, the bytes
changed on their own, or both rewritten together are each still found and named."""

import datetime as dt
import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from expedite.audit import verify as verify_module
from expedite.audit.models import AuditEvent
from expedite.audit.verify import verify
from expedite.domain.audit import EventBody, canonical_bytes, event_hash
from tests.factories import new_case
from tests.web.test_audit_verify import raw

pytestmark = pytest.mark.django_db(transaction=True)

FORGED_TIME = dt.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


@pytest.fixture
def chain(world):
    for i in range(3):
        new_case(world, deadline=timezone.localdate() + dt.timedelta(days=20 + i), reason="第")
    assert verify().ok
    return list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))


@pytest.fixture(params=[5000, 2], ids=["one-batch", "batches-of-2"])
def batch(request, monkeypatch):
    """Both ways through the chain: checked in bulk, and in batches that tampering splits."""
    monkeypatch.setattr(verify_module, "BATCH", request.param)
    return request.param


def first_problem():
    report = verify()
    assert not report.ok
    finding = report.findings[0]
    return finding.problem.value, finding.seq


def _case_event(chain) -> AuditEvent:
    return AuditEvent.objects.filter(case__isnull=False, seq__gt=chain[2]).order_by("seq")[0]


COLUMNS = {
    "actor": lambda event: "mallory",
    "actor_kind": lambda event: "client" if event.actor_kind != "client" else "system",
    "kind": lambda event: "auth.login",
    "case_id": lambda event: None,
    "payload": lambda event: json.dumps({**event.payload, "reason": "改过"}),
    "time": lambda event: connection.ops.adapt_datetimefield_value(FORGED_TIME),
}


@pytest.mark.parametrize("column", sorted(COLUMNS))
def test_a_column_changed_without_its_bytes_is_named(chain, batch, column):
    event = _case_event(chain)
    raw(
        f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s",  # noqa: S608
        [COLUMNS[column](event), event.seq],
    )
    assert first_problem() == ("changed", event.seq)


def test_a_changed_column_is_named_when_verifying_the_case(chain):
    event = _case_event(chain)
    raw("UPDATE audit_auditevent SET actor = %s WHERE seq = %s", ["mallory", event.seq])
    finding = verify(case_id=event.case_id).findings[0]
    assert (finding.problem, finding.seq) == ("changed", event.seq)


@pytest.mark.parametrize(
    "forge",
    [
        lambda text: text.replace('"actor_kind":', '"actor_kind": '),
        lambda text: text[:-1],  # no longer JSON at all
        lambda text: "",
    ],
    ids=["spacing", "not-json", "empty"],
)
def test_changed_stored_bytes_are_named(chain, batch, forge):
    seq = chain[4]
    text = AuditEvent.objects.get(seq=seq).canonical
    raw("UPDATE audit_auditevent SET canonical = %s WHERE seq = %s", [forge(text), seq])
    assert first_problem() == ("changed", seq)
    case_id = AuditEvent.objects.get(seq=seq).case_id
    if case_id is not None:
        assert verify(case_id=case_id).findings[0].problem == "changed"


def test_bytes_and_hash_rewritten_without_the_columns_are_named(chain, batch):
    """The forger makes the row hash right again; its columns still say the old content."""
    event = AuditEvent.objects.get(seq=chain[3])
    body = EventBody(
        seq=event.seq,
        time=event.time,
        actor_kind=event.actor_kind,
        actor="mallory",
        kind=event.kind,
        case_id=event.case_id,
        payload=event.payload,
        prev_hash=event.prev_hash,
    )
    raw(
        "UPDATE audit_auditevent SET canonical = %s, hash = %s WHERE seq = %s",
        [canonical_bytes(body).decode(), event_hash(body), event.seq],
    )
    assert first_problem() == ("changed", event.seq)


def test_a_deleted_or_swapped_row_is_named_in_batches(chain, batch):
    a, b = chain[4], chain[5]
    raw("UPDATE audit_auditevent SET seq = 999999999 WHERE seq = %s", [a])
    raw("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a, b])
    raw("UPDATE audit_auditevent SET seq = %s WHERE seq = 999999999", [b])
    assert first_problem() == ("reordered", a)


def test_a_deleted_row_is_named_in_batches(chain, batch):
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [chain[3]])
    assert first_problem() == ("missing", chain[3])


def test_every_event_is_counted_through_the_batches(chain, batch):
    assert verify().events == len(chain)


def test_each_event_keeps_the_bytes_its_hash_is_of(chain):
    for event in AuditEvent.objects.all():
        assert hashlib.sha256(event.canonical.encode()).hexdigest() == event.hash


def test_postgresql_refuses_to_change_the_stored_bytes(chain):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET canonical = '' WHERE seq = %s", [chain[0]])
