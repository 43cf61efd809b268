"""Audit events: kinds and the canonical serialization their hashes are made of.

Each event's hash is SHA-256 over a canonical JSON document holding the
previous event's hash, so that the record is a chain: changing, removing or
reordering any event changes every hash after it.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import methodcaller
from typing import Any

GENESIS_HASH = "0" * 64


class AuditKind(enum.StrEnum):
    CLIENT_CREATED = "client.created"
    CLIENT_CONTACT_ADDED = "client.contact_added"
    CLIENT_CONTACT_LANGUAGE_SET = "client.contact_language_set"
    CASE_CREATED = "case.created"
    CASE_INTAKE_ANSWERED = "case.intake_answered"
    CASE_TRIAGED = "case.triaged"
    CASE_STATE_CHANGED = "case.state_changed"
    CASE_VERDICT_OVERRIDDEN = "case.verdict_overridden"
    CASE_ALTERNATIVE_ADOPTED = "case.alternative_adopted"
    CASE_OPTION_CHOSEN = "case.option_chosen"
    CASE_FILE_ADDED = "case.file_added"
    BATCH_CREATED = "batch.created"
    BATCH_TRIAGED = "batch.triaged"
    COST_RECORDED = "case.cost_recorded"
    REVIEW_SELF_CHECKED = "review.self_checked"
    REVIEW_REVIEWED = "review.reviewed"
    REVIEW_SUBMISSION_CHECKED = "review.submission_checked"
    EVIDENCE_EXPORTED = "case.evidence_exported"
    CATALOG_LOADED = "catalog.loaded"
    DEMO_LOADED = "demo.loaded"
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    API_TOKEN_CREATED = "auth.api_token_created"  # noqa: S105 - an event name
    API_TOKEN_REVOKED = "auth.api_token_revoked"  # noqa: S105 - an event name
    STAFF_CREATED = "staff.created"
    STAFF_CHANGED = "staff.changed"
    STAFF_ROLES_CHANGED = "staff.roles_changed"
    STAFF_PASSWORD_SET = "staff.password_set"  # noqa: S105 - an event name
    STAFF_DELETED = "staff.deleted"
    AUDIT_ANCHORED = "audit.anchored"
    RETENTION_PURGED = "retention.purged"
    AUDIT_VERIFY_FAILED = "audit.verify_failed"
    CALENDAR_OVERRIDE_LOADED = "calendar.override_loaded"
    CALENDAR_OVERRIDE_REMOVED = "calendar.override_removed"
    CALENDAR_HOURS_CHANGED = "calendar.hours_changed"
    CALENDAR_CLOSURE_ADDED = "calendar.closure_added"
    CALENDAR_CLOSURE_REMOVED = "calendar.closure_removed"
    STAFF_PROFILE_CHANGED = "staff.profile_changed"
    STAFF_ABSENCE_RECORDED = "staff.absence_recorded"
    STAFF_ABSENCE_REMOVED = "staff.absence_removed"
    TEAM_PROPOSED = "case.team_proposed"
    TEAM_ASSIGNED = "case.team_assigned"
    PLAN_LAID_OUT = "case.plan_laid_out"
    PLAN_STEP_SKIPPED = "case.plan_step_skipped"
    STEP_STARTED = "case.step_started"
    STEP_FINISHED = "case.step_finished"
    TRACK_UPDATED = "case.track_updated"
    CUSTODY_CHECKED_IN = "custody.checked_in"
    CUSTODY_TRANSFERRED = "custody.transferred"
    CUSTODY_CHECKED_OUT = "custody.checked_out"
    CUSTODY_CONFIRMED = "custody.confirmed"
    CUSTODY_CODE_SENT = "custody.code_sent"
    CUSTODY_CODE_FAILED = "custody.code_failed"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_GRANTED = "approval.granted"
    APPROVAL_DENIED = "approval.denied"
    APPROVAL_WITHDRAWN = "approval.withdrawn"
    APPROVAL_RULES_CHANGED = "approval.rules_changed"
    PORTAL_LINK_ROTATED = "portal.link_rotated"
    PORTAL_LINK_REVOKED = "portal.link_revoked"
    PORTAL_CODE_SENT = "portal.code_sent"
    PORTAL_CODE_FAILED = "portal.code_failed"
    PORTAL_CLIENT_VERIFIED = "portal.client_verified"
    PORTAL_FILE_VISIBILITY = "portal.file_visibility"
    MATERIAL_SUBMITTED = "material.submitted"
    PREREVIEW_STARTED = "material.prereview_started"
    PREREVIEW_RECORDED = "material.prereview_recorded"
    CORRECTION_NOTICE_SENT = "material.correction_notice_sent"
    CORRECTION_REMINDER_SENT = "material.correction_reminder_sent"
    REPORT_EDITED = "report.edited"
    REPORT_SENT = "report.sent"
    REPORT_SETTINGS_CHANGED = "report.settings_changed"
    INCIDENT_RAISED = "incident.raised"
    INCIDENT_ACKNOWLEDGED = "incident.acknowledged"
    INCIDENT_RESOLVED = "incident.resolved"
    INCIDENT_ESCALATED = "incident.escalated"
    RISK_WARNING_RAISED = "risk.warning_raised"
    RISK_WARNING_SENT = "risk.warning_sent"
    RISK_WARNING_DISMISSED = "risk.warning_dismissed"
    DELIVERY_ERROR_RECORDED = "case.delivery_error_recorded"
    FEEDBACK_SUBMITTED = "feedback.submitted"
    FOLLOW_UP_RESOLVED = "feedback.follow_up_resolved"
    RETROSPECTIVE_SAVED = "case.retrospective_saved"
    HANDBOOK_ENTRY_ADDED = "handbook.entry_added"
    CATALOG_CHANGE_ACCEPTED = "catalog.change_accepted"
    CATALOG_CHANGE_REJECTED = "catalog.change_rejected"
    SCHEDULE_PROPOSED = "schedule.proposed"
    SCHEDULE_ACCEPTED = "schedule.accepted"
    RESULT_FILE_ADDED = "delivery.result_added"
    DELIVERY_CONFIRMED = "delivery.confirmed"
    OUTBOX_RESENT = "outbox.resent"
    OUTBOX_MARKED_SENT = "outbox.marked_sent"
    CASE_REQUESTED = "case.requested"
    REQUEST_CODE_SENT = "request.code_sent"
    CLIENT_CONTACT_CHANNEL_SET = "client.contact_channel_set"
    CLIENTS_IMPORTED = "client.imported"
    CALENDAR_FEED_CREATED = "feed.created"
    CALENDAR_FEED_STOPPED = "feed.stopped"
    WEBHOOK_SAVED = "webhook.saved"
    SSO_REFUSED = "auth.sso_refused"
    TOTP_ENROLLED = "auth.totp_enrolled"
    TOTP_DISABLED = "auth.totp_disabled"
    WEBHOOK_SECRET_RENEWED = "webhook.secret_renewed"  # noqa: S105 - an event name
    WEBHOOK_TESTED = "webhook.tested"
    RADAR_TRAINED = "radar.trained"
    RADAR_PROPOSED = "radar.proposed"
    RADAR_OUTCOME = "radar.outcome"
    KPI_SIMULATION_LOADED = "kpi.simulation_loaded"


class ActorKind(enum.StrEnum):
    STAFF = "staff"
    CLIENT = "client"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class EventBody:
    """The hashed content of one audit event."""

    seq: int
    time: datetime
    actor_kind: ActorKind
    actor: str
    kind: AuditKind
    case_id: int | None
    payload: dict[str, Any]
    prev_hash: str


def canonical_bytes(body: EventBody) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace; time in UTC ISO 8601 with microseconds."""
    if body.time.tzinfo is None:
        raise ValueError("audit time must be timezone-aware")
    doc = {
        "seq": body.seq,
        "time": body.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_kind": ActorKind(body.actor_kind).value,
        "actor": body.actor,
        "kind": AuditKind(body.kind).value,
        "case": body.case_id,
        "payload": body.payload,
        "prev_hash": body.prev_hash,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(body: EventBody) -> str:
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


class Problem(enum.StrEnum):
    CHANGED = "changed"  # the stored content no longer hashes to the stored hash
    MISSING = "missing"  # a sequence number is absent (a row was deleted)
    REORDERED = "reordered"  # a row does not link to the one before it
    TRUNCATED = "truncated"  # the head says there were more events than there are
    ANCHOR = "anchor"  # the chain disagrees with an earlier anchor
    FILE_ALTERED = "file_altered"  # a stored file no longer has its recorded SHA-256
    FILE_MISSING = "file_missing"


PROBLEM_ZH = {
    Problem.CHANGED: "内容被改动",
    Problem.MISSING: "事件缺失",
    Problem.REORDERED: "顺序被打乱或链接断开",
    Problem.TRUNCATED: "链尾事件被删除",
    Problem.ANCHOR: "与此前的锚点不一致",
    Problem.FILE_ALTERED: "文件被改动",
    Problem.FILE_MISSING: "文件缺失",
}


@dataclass(frozen=True, slots=True)
class Finding:
    problem: Problem
    seq: int | None
    detail: str

    def describe(self) -> str:
        where = f"事件 #{self.seq}" if self.seq is not None else "审计链"
        return f"{where}：{PROBLEM_ZH[self.problem]}（{self.detail}）"


def verify_stored(
    rows,
    *,
    start_seq: int = 1,
    start_hash: str = GENESIS_HASH,
    purged: dict[int, str] | None = None,
    disagreeing: frozenset[int] = frozenset(),
) -> tuple[Finding | None, int]:
    """The chain check over stored canonical bytes: (first problem or None, events checked).

    `rows` yields (seq, prev_hash, hash, canonical bytes) ordered by seq. Hashing the stored
    bytes replaces rebuilding them; `disagreeing` names the events whose columns no longer
    say what their bytes say, found beforehand by the caller.
    """
    expected_seq, previous = start_seq, start_hash
    purged = purged or {}
    sha256 = hashlib.sha256
    checked = 0
    for seq, prev_hash, digest, data in rows:
        checked += 1
        while seq > expected_seq and expected_seq in purged:
            previous = purged[expected_seq]
            expected_seq += 1
        if seq != expected_seq:
            return Finding(
                Problem.MISSING, expected_seq, f"应为 #{expected_seq}，下一条是 #{seq}"
            ), checked
        if prev_hash != previous:
            return Finding(Problem.REORDERED, seq, "prev_hash 与上一事件的哈希不符"), checked
        if sha256(data).hexdigest() != digest:
            actual = sha256(data).hexdigest()
            return Finding(
                Problem.CHANGED, seq, f"重算 {actual[:12]}…，记录 {digest[:12]}…"
            ), checked
        if seq in disagreeing:
            return Finding(Problem.CHANGED, seq, "字段与存证内容不符"), checked
        expected_seq, previous = seq + 1, digest
    return None, checked


def batch_holds(
    *,
    start_seq: int,
    start_hash: str,
    count: int,
    seqs: str,
    prev_hashes: str,
    hashes: str,
    canonical: bytes,
) -> bool:
    """Whether `count` events, given as concatenations, hold as one stretch of the chain.

    `seqs` comma-separated, `prev_hashes` and `hashes` run together (the caller checks each is
    64 characters), `canonical` the stored bytes joined by newlines (canonical JSON has no raw
    newline). True only if they are numbered on from `start_seq`, each links to the one before
    and each hashes to its stored hash; False says nothing about which, the walk names it.
    Hashing and comparing in bulk keeps per-event work in C.
    """
    if seqs != ",".join(map(str, range(start_seq, start_seq + count))):
        return False
    parts = canonical.split(b"\n")
    if len(parts) != count:
        return False
    digests = "".join(map(methodcaller("hexdigest"), map(hashlib.sha256, parts)))
    return digests == hashes and prev_hashes == start_hash + hashes[:-64]
