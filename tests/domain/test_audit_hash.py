import datetime as dt
import hashlib
import json

import pytest

from expedite.domain.audit import (
    GENESIS_HASH,
    ActorKind,
    AuditKind,
    EventBody,
    canonical_bytes,
    event_hash,
)

T = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)


def body(**overrides):
    values = {
        "seq": 1,
        "time": T,
        "actor_kind": ActorKind.STAFF,
        "actor": "zhang",
        "kind": AuditKind.CASE_CREATED,
        "case_id": 7,
        "payload": {"reason": "项目验收", "b": 1, "a": 2},
        "prev_hash": GENESIS_HASH,
    }
    values.update(overrides)
    return EventBody(**values)


def test_hash_is_sha256_of_sorted_compact_utf8_json():
    doc = json.loads(canonical_bytes(body()))
    assert list(doc) == sorted(doc)
    assert doc["time"] == "2026-11-26T09:30:00.000000Z"
    assert "项目验收".encode() in canonical_bytes(body())
    assert event_hash(body()) == hashlib.sha256(canonical_bytes(body())).hexdigest()


def test_the_same_instant_in_another_zone_hashes_the_same():
    shanghai = T.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert event_hash(body(time=shanghai)) == event_hash(body())


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 2},
        {"actor": "li"},
        {"payload": {"reason": "x"}},
        {"prev_hash": "1" * 64},
        {"case_id": None},
    ],
)
def test_any_change_changes_the_hash(change):
    assert event_hash(body(**change)) != event_hash(body())


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_bytes(body(time=T.replace(tzinfo=None)))
