"""Verify the audit chain and the stored files against their recorded hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection

from expedite import clock
from expedite.domain.audit import (
    GENESIS_HASH,
    Finding,
    Problem,
    batch_holds,
    verify_stored,
)

from .agreement import disagreeing
from .models import AuditEvent, AuditHead


@dataclass
class Report:
    events: int = 0
    files: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "events_checked": self.events,
            "files_checked": self.files,
            "problems": [
                {"problem": f.problem.value, "seq": f.seq, "detail": f.detail, "text": f.describe()}
                for f in self.findings
            ],
        }


# What the chain check reads: the links and the stored bytes, nothing to convert.
CHAIN_SQL = "SELECT seq, prev_hash, hash, canonical FROM audit_auditevent"


def _chain_rows(cursor):
    encode = str.encode
    while batch := cursor.fetchmany(5000):
        for seq, prev_hash, digest, canonical in batch:
            yield seq, prev_hash, digest, encode(canonical)


BATCH = 5000
# One row per batch: its events' links, hashes and bytes run together, in seq order.
_BATCH_SQL = {
    "sqlite": """
        SELECT count(*), sum(length(prev_hash) = 64 AND length(hash) = 64),
            group_concat(seq, ','), group_concat(prev_hash, ''), group_concat(hash, ''),
            group_concat(canonical, char(10))
        FROM (SELECT seq, prev_hash, hash, canonical FROM audit_auditevent
            WHERE seq > %s ORDER BY seq LIMIT %s)
    """,
    "postgresql": """
        SELECT count(*), sum(CASE WHEN length(prev_hash) = 64 AND length(hash) = 64
                THEN 1 ELSE 0 END),
            string_agg(seq::text, ',' ORDER BY seq), string_agg(prev_hash, '' ORDER BY seq),
            string_agg(hash, '' ORDER BY seq), string_agg(canonical, E'\\n' ORDER BY seq)
        FROM (SELECT seq, prev_hash, hash, canonical FROM audit_auditevent
            WHERE seq > %s ORDER BY seq LIMIT %s) AS batch
    """,
}


def _walk_chain(suspects: frozenset[int], purged: dict[int, str]) -> tuple[Finding | None, int]:
    """The whole chain, a batch at a time: a batch checked in bulk that holds is done; any
    other (a gap a purge bridges, a suspect row, a problem) is walked event by event."""
    expected, previous, checked, last = 1, GENESIS_HASH, 0, 0
    sql = _BATCH_SQL[connection.vendor]
    while True:
        after = last
        with connection.cursor() as cursor:
            cursor.execute(sql, [after, BATCH])
            count, well_formed, seqs, prev_hashes, hashes, canonical = cursor.fetchone()
        if not count:
            return None, checked
        first, last = int(seqs.split(",", 1)[0]), int(seqs.rsplit(",", 1)[-1])
        if (
            well_formed == count
            and not any(first <= s <= last for s in suspects)
            and batch_holds(
                start_seq=expected,
                start_hash=previous,
                count=count,
                seqs=seqs,
                prev_hashes=prev_hashes,
                hashes=hashes,
                canonical=canonical.encode(),
            )
        ):
            checked += count
            expected, previous = last + 1, hashes[-64:]
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"{CHAIN_SQL} WHERE seq > %s ORDER BY seq LIMIT %s", [after, BATCH])
            rows = list(_chain_rows(cursor))
        finding, walked = verify_stored(
            rows, start_seq=expected, start_hash=previous, purged=purged, disagreeing=suspects
        )
        checked += walked
        if finding:
            return finding, checked
        last = rows[-1][0]
        expected, previous = last + 1, rows[-1][2]


def verify(*, case_id: int | None = None, anchor: dict | None = None) -> Report:
    report = Report()
    if case_id is None:
        finding, report.events = _walk_chain(disagreeing(), purged_hashes())
        if finding:
            report.findings.append(finding)
        else:
            _check_head(report)
    else:
        _verify_case(report, case_id)
    if anchor is not None and not report.findings:
        _check_anchor(report, anchor)
    _verify_files(report, case_id)
    return report


def purged_hashes() -> dict[int, str]:
    """seq → hash of every event a retention purge removed, from the purges' own events.

    A purge record only accounts for events before it, of cases it names that are gone, and
    its digest must match its lists: a record appended to cover an unrelated deletion fails.
    """
    case_model = AuditEvent._meta.get_field("case").related_model
    out: dict[int, str] = {}
    purges = AuditEvent.objects.filter(kind="retention.purged").values_list("seq", "payload")
    for purge_seq, payload in purges:
        listed = {
            "before": payload.get("before"),
            "cases": payload.get("cases", []),
            "removed_events": payload.get("removed_events", []),
            "documents": payload.get("documents", []),
            "costs": payload.get("costs", 0),
        }
        canonical = json.dumps(listed, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if hashlib.sha256(canonical.encode()).hexdigest() != payload.get("sha256"):
            continue
        if case_model.objects.filter(reference__in=listed["cases"]).exists():
            continue
        for seq, digest in listed["removed_events"]:
            if int(seq) < purge_seq:
                out[int(seq)] = digest
    return out


def _check_head(report: Report) -> None:
    head = AuditHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        if last is not None:
            report.findings.append(Finding(Problem.TRUNCATED, None, "链头记录不存在"))
        return
    last_seq, last_hash = last or (0, GENESIS_HASH)
    if head.seq != last_seq or head.hash != last_hash:
        report.findings.append(
            Finding(
                Problem.TRUNCATED, last_seq + 1, f"链头记录到 #{head.seq}，实际只到 #{last_seq}"
            )
        )


def previous_hashes(seqs: list[int]) -> dict[int, str]:
    """For each seq, the hash of the event before it in the chain (stored, or listed by a
    retention purge); absent when neither has it. One query, whatever the number of events."""
    wanted = [s - 1 for s in seqs if s > 1]
    stored = dict(AuditEvent.objects.filter(seq__in=wanted).values_list("seq", "hash"))
    purged = purged_hashes() if len(stored) < len(wanted) else {}
    out = {}
    for s in seqs:
        if s == 1:
            out[s] = GENESIS_HASH
        elif (found := stored.get(s - 1) or purged.get(s - 1)) is not None:
            out[s] = found
    return out


def _verify_case(report: Report, case_id: int) -> None:
    """Each event of the case hashes right and links to the event before it in the chain."""
    with connection.cursor() as cursor:
        cursor.execute(f"{CHAIN_SQL} WHERE case_id = %s ORDER BY seq", [case_id])
        rows = list(_chain_rows(cursor))
    suspects = disagreeing(case_id) if rows else frozenset()
    befores = previous_hashes([row[0] for row in rows])
    for row in rows:
        report.events += 1
        seq = row[0]
        before = befores.get(seq)
        if seq > 1 and before is None:
            report.findings.append(Finding(Problem.MISSING, seq - 1, f"#{seq} 之前的事件不存在"))
            return
        finding, _checked = verify_stored(
            [row], start_seq=seq, start_hash=before or GENESIS_HASH, disagreeing=suspects
        )
        if finding:
            report.findings.append(finding)
            return


def check_anchor_file(anchor) -> dict:
    """An anchor as written by `write_anchor`; anything else is refused."""
    if not isinstance(anchor, dict):
        raise ValueError("锚点文件应为 JSON 对象")
    seq, digest = anchor.get("seq"), anchor.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("锚点的 seq 应为非负整数")
    hex_ok = isinstance(digest, str) and len(digest) == 64
    if not hex_ok or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("锚点的 hash 应为 64 位十六进制")
    return anchor


def _check_anchor(report: Report, anchor: dict) -> None:
    seq, digest = anchor.get("seq"), anchor.get("hash")
    stored = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if stored != digest:
        detail = (
            f"锚点记录 #{seq} 为 {str(digest)[:12]}…，现为 {str(stored)[:12] if stored else '无'}…"
        )
        report.findings.append(Finding(Problem.ANCHOR, seq, detail))


# The apps that keep files say which (case documents, every version of every material), so
# the record's check reads them without importing those apps.
StoredFiles = Callable[[int | None], Iterable[tuple[str, str, str]]]
_FILE_SOURCES: dict[str, StoredFiles] = {}


def register_file_source(name: str, source: StoredFiles) -> StoredFiles:
    """`source(case_id)` yields (label, storage name, recorded SHA-256) of each file kept, of
    one case or (None) of all."""
    _FILE_SOURCES[name] = source
    return source


def _stored_files(case_id: int | None):
    for name in sorted(_FILE_SOURCES):
        yield from _FILE_SOURCES[name](case_id)


def _verify_files(report: Report, case_id: int | None) -> None:
    for label, name, recorded in _stored_files(case_id):
        report.files += 1
        if not default_storage.exists(name):
            report.findings.append(Finding(Problem.FILE_MISSING, None, f"文件 {label}（{name}）"))
            continue
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != recorded:
            report.findings.append(
                Finding(
                    Problem.FILE_ALTERED,
                    None,
                    f"文件 {label}：记录 {recorded[:12]}…，现为 {digest.hexdigest()[:12]}…",
                )
            )


def current_anchor() -> dict:
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, digest = head or (0, GENESIS_HASH)
    return {"seq": seq, "hash": digest, "time": clock.now().isoformat()}


def write_anchor(directory: Path) -> tuple[Path, dict]:
    """Write the chain head to a dated file; an earlier file proves a later rewrite."""
    anchor = current_anchor()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"anchor-{clock.local_now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(anchor, ensure_ascii=False, indent=2), encoding="utf-8")
    return path, anchor
