"""Retention: the only way anything leaves the record, and only after the legal minimum."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from expedite.audit.models import AuditEvent
from expedite.audit.services import audit_record
from expedite.cases.models import Case, CaseDocument, CostEntry
from expedite.domain.audit import AuditKind
from expedite.domain.errors import ValidationFailed
from expedite.materials.models import MaterialSubmission

FINAL_STATES = ("closed", "cancelled", "declined")


def earliest_allowed(today: dt.date) -> dt.date:
    years = settings.EXPEDITE_RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def purge_plan(*, before: dt.date, today: dt.date, lock: bool = False) -> dict:
    """What a purge would remove: finished cases with nothing recorded since `before`.

    A case counts only if its last event, not just its last edit, is older than `before`:
    a cost added or an evidence file exported last week keeps a case closed in 2020.
    """
    limit = earliest_allowed(today)
    if before > limit:
        raise ValidationFailed(
            _("保存期至少 %(years)d 年：只能清除 %(limit)s 之前结束的加急单。")
            % {"years": settings.EXPEDITE_RETENTION_YEARS, "limit": limit.isoformat()},
            field="before",
        )
    cutoff = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
    candidates = Case.objects.filter(state__in=FINAL_STATES, updated_at__lt=cutoff).order_by("pk")
    if lock:
        candidates = candidates.select_for_update(no_key=True)
    recent = set(
        AuditEvent.objects.filter(case__in=candidates, time__gte=cutoff).values_list(
            "case_id", flat=True
        )
    )
    cases = [c for c in candidates if c.pk not in recent]
    ids = [c.pk for c in cases]
    events = list(
        AuditEvent.objects.filter(case_id__in=ids).order_by("seq").values_list("seq", "hash")
    )
    documents = list(CaseDocument.objects.filter(case_id__in=ids).values_list("file", "sha256"))
    documents += _material_files(ids)
    return {
        "before": before.isoformat(),
        "cases": [c.reference for c in cases],
        "case_ids": ids,
        "removed_events": [[seq, digest] for seq, digest in events],
        "documents": [[name, digest] for name, digest in documents],
        "costs": CostEntry.objects.filter(case_id__in=ids).count(),
    }


def _material_files(ids: list[int]) -> list[tuple[str, str]]:

    return list(MaterialSubmission.objects.filter(case_id__in=ids).values_list("file", "sha256"))


def _case_models() -> list:
    """Every model that points at a case (the apps that run cases add theirs), except the ones
    handled above; audit events go by sequence number, never through the ORM."""
    skip = {AuditEvent, CostEntry, CaseDocument}
    return [
        rel.related_model
        for rel in Case._meta.related_objects
        if rel.related_model not in skip and (rel.many_to_one or rel.one_to_one)
    ]


def _case_field(model) -> str:
    field = next(f for f in model._meta.get_fields() if getattr(f, "related_model", None) is Case)
    return f"{field.name}__in"


def _delete_with_dependents(queryset, depth: int = 0) -> None:
    """Delete rows, first deleting what protects them (a step before its track, a finding
    before its review): a purge removes a case with everything recorded under it."""
    for _attempt in range(10):
        try:
            with transaction.atomic():
                queryset.delete()
            return
        except (ProtectedError, RestrictedError) as exc:
            if depth > 5:
                raise
            blockers = getattr(exc, "protected_objects", None) or exc.restricted_objects
            by_model: dict = {}
            for obj in blockers:
                by_model.setdefault(type(obj), []).append(obj.pk)
            for model, pks in by_model.items():
                if model is AuditEvent:
                    raise
                _delete_with_dependents(model._default_manager.filter(pk__in=pks), depth + 1)
    queryset.delete()


@transaction.atomic
def retention_purge(*, before: dt.date, today: dt.date) -> dict:
    """Remove finished cases older than the retention period, with their files and events.

    The purge's own audit event lists every removed event's sequence number and hash (so the
    chain still verifies across the gap) and the SHA-256 of everything removed.
    """
    # The cases are locked, and exactly the listed events are deleted: an event appended to
    # one of them meanwhile would keep its case (PROTECT) and fail the whole purge.
    plan = purge_plan(before=before, today=today, lock=True)
    ids = plan.pop("case_ids")
    if not ids:
        return {**plan, "removed": 0}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL expedite.purge = 'on'")
        seqs = [seq for seq, _digest in plan["removed_events"]]
        if seqs:
            placeholders = ", ".join(["%s"] * len(seqs))
            cursor.execute(f"DELETE FROM audit_auditevent WHERE seq IN ({placeholders})", seqs)  # noqa: S608
    CostEntry.objects.filter(case_id__in=ids).delete()
    names = [name for name, _digest in plan["documents"]]
    CaseDocument.objects.filter(case_id__in=ids).delete()
    for model in _case_models():
        _delete_with_dependents(model._default_manager.filter(**{_case_field(model): ids}))
    # Rows that point at a case without a reverse name (e.g. outbox messages) show up here.
    _delete_with_dependents(Case.objects.filter(pk__in=ids))
    digest = hashlib.sha256(
        json.dumps(plan, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    audit_record(
        kind=AuditKind.RETENTION_PURGED,
        payload={
            "before": plan["before"],
            "cases": plan["cases"],
            "events": len(plan["removed_events"]),
            "files": len(plan["documents"]),
            "costs": plan["costs"],
            "removed_events": plan["removed_events"],
            "documents": plan["documents"],
            "sha256": digest,
        },
    )

    still_used = set(CaseDocument.objects.filter(file__in=names).values_list("file", flat=True))
    still_used |= set(
        MaterialSubmission.objects.filter(file__in=names).values_list("file", flat=True)
    )
    transaction.on_commit(lambda: [default_storage.delete(n) for n in names if n not in still_used])
    return {**plan, "removed": len(ids), "sha256": digest}
