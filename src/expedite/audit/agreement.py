"""Do the columns of each event still say what its stored canonical bytes say?

Verify hashes the stored bytes, so a column changed on its own (actor, payload, time...)
would go unseen without this check. The database does the bulk of it in one query: on
SQLite it rebuilds the canonical text from the columns and compares text; on PostgreSQL it
compares the parsed bytes with an object built from the columns. Rows that query cannot
vouch for (older payload text, unusual escapes) are rebuilt in Python exactly, one by one.
"""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction

from expedite.domain.audit import EventBody, canonical_bytes

from .models import AuditEvent

FIELDS = ("seq", "time", "actor_kind", "actor", "kind", "case_id", "payload", "prev_hash")

# Each piece is one self-delimiting JSON value (quoted, or checked to be an integer or valid
# JSON), so equal text means equal content: nothing in one column can pose as another key.
_SQLITE_AGREES = """
    typeof(seq) = 'integer' AND typeof(case_id) IN ('integer', 'null') AND json_valid(payload)
    AND canonical = '{"actor":' || json_quote(actor) || ',"actor_kind":' || json_quote(actor_kind)
        || ',"case":' || coalesce(case_id, 'null') || ',"kind":' || json_quote(kind)
        || ',"payload":' || payload || ',"prev_hash":' || json_quote(prev_hash)
        || ',"seq":' || seq || ',"time":' || json_quote(replace(time, ' ', 'T')
        || CASE WHEN length(time) = 19 THEN '.000000' ELSE '' END || 'Z') || '}'
"""
_POSTGRES_AGREES = """
    canonical::jsonb = jsonb_build_object(
        'actor', actor, 'actor_kind', actor_kind, 'case', case_id, 'kind', kind,
        'payload', payload, 'prev_hash', prev_hash, 'seq', seq,
        'time', to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
"""


def disagreeing(case_id: int | None = None) -> frozenset[int]:
    """Sequence numbers of the events (of one case, or all) whose columns and bytes differ."""
    agrees = _POSTGRES_AGREES if connection.vendor == "postgresql" else _SQLITE_AGREES
    where, params = ("case_id = %s AND ", [case_id]) if case_id is not None else ("", [])
    sql = f"SELECT seq FROM audit_auditevent WHERE {where}NOT coalesce({agrees}, false)"  # noqa: S608
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            suspects = [row[0] for row in cursor.fetchall()]
    except DatabaseError:  # bytes that are not JSON at all: every row is checked in Python
        events = AuditEvent.objects.all()
        if case_id is not None:
            events = events.filter(case_id=case_id)
        suspects = list(events.values_list("seq", flat=True))
    return frozenset(_confirmed(suspects))


def _confirmed(suspects: list[int]):
    for start in range(0, len(suspects), 1000):
        chunk = suspects[start : start + 1000]
        rows = AuditEvent.objects.filter(seq__in=chunk).values_list(*FIELDS, "canonical")
        for *fields, stored in rows:
            try:
                rebuilt = canonical_bytes(EventBody(*fields))
            except ValueError:  # an unknown kind or actor kind, or a naive time
                rebuilt = None
            if rebuilt != stored.encode():
                yield fields[0]
