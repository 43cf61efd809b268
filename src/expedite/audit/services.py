"""Append to the audit chain, inside the caller's transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from expedite import clock
from expedite.domain.audit import GENESIS_HASH, ActorKind, AuditKind, EventBody, canonical_bytes

from .models import AuditEvent, AuditHead, known_kind


def _lock_head() -> tuple[int, str]:
    """Read the chain head, locking it until the transaction ends (created on first use)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM audit_audithead WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
        return _lock_head()
    return row[0], row[1]


def _normal(value):
    """JSON the databases store and give back unchanged: string keys, no floats.

    PostgreSQL's jsonb rewrites some numbers (1e16, -0.0), and JSON has only string keys;
    either would make a stored event hash differently when verified. Floats become strings.
    """
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


# Called with each new event inside its transaction (registered by apps above this one, such
# as the outbound webhooks): what they write commits or rolls back with the action.
_LISTENERS: list[Callable[[AuditEvent], None]] = []


def register_listener(listener: Callable[[AuditEvent], None]) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def audit_record(
    *,
    kind: AuditKind,
    actor: Any = None,
    actor_kind: ActorKind | None = None,
    actor_label: str = "",
    case: Any = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it records.

    `actor` is a staff user or None (then `actor_kind` says client or system).
    The chain head row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite
    writers are already serialized by BEGIN IMMEDIATE) so concurrent writers
    append one after the other and the chain stays linear.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    kind = known_kind(kind)
    if actor is not None and getattr(actor, "is_authenticated", False):
        kind_of_actor = actor_kind or ActorKind.STAFF
        label = actor_label or actor.get_username()
        user = actor
    else:
        kind_of_actor = actor_kind or ActorKind.SYSTEM
        label = actor_label or kind_of_actor.value
        user = None
    head_seq, head_hash = _lock_head()
    body = EventBody(
        seq=head_seq + 1,
        time=clock.now(),
        actor_kind=kind_of_actor,
        actor=label,
        kind=kind,
        case_id=case.pk if case is not None else None,
        payload=_normal(payload or {}),
        prev_hash=head_hash,
    )
    data = canonical_bytes(body)
    digest = hashlib.sha256(data).hexdigest()
    event = AuditEvent(
        seq=body.seq,
        time=body.time,
        actor_kind=body.actor_kind,
        actor=body.actor,
        user=user,
        kind=body.kind,
        case=case,
        payload=body.payload,
        prev_hash=body.prev_hash,
        hash=digest,
        canonical=data.decode(),
    )
    # bulk_create: one plain INSERT (appends are the hottest write of the application).
    AuditEvent.objects.bulk_create([event])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [body.seq, digest]
        )
    for listener in _LISTENERS:
        listener(event)
    return event
