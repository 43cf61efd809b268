"""Reads for the import pages."""

from __future__ import annotations

from expedite.accounts.selectors import user_can
from expedite.domain.errors import NotAllowed, NotFound, gettext_noop
from expedite.domain.roles import Capability

from .models import ImportBatch

# What a preview page lists of the rows: the problems first, then a sample of the rest.
SHOWN_PROBLEMS = 200
SHOWN_ROWS = 50


def may_import(user) -> bool:
    return user_can(user, Capability.CREATE_CLIENT)


def recent_batches(*, user, limit: int = 10):
    if not may_import(user):
        raise NotAllowed(gettext_noop("您的角色无权导入客户。"))
    return ImportBatch.objects.defer("rows").select_related("created_by")[:limit]


def access_batch(*, user, pk: int) -> ImportBatch:
    if not may_import(user):
        raise NotAllowed(gettext_noop("您的角色无权导入客户。"))
    batch = ImportBatch.objects.filter(pk=pk).select_related("created_by", "applied_by").first()
    if batch is None:
        raise NotFound(gettext_noop("没有这个导入批次。"))
    return batch


def batch_view(batch: ImportBatch) -> dict:
    """The rows with problems (bounded) and a sample of the others, for the page."""
    problems = [r for r in batch.rows if r["problems"]]
    others = [r for r in batch.rows if not r["problems"]]
    return {
        "problems": problems[:SHOWN_PROBLEMS],
        "problem_count": len(problems),
        "sample": others[:SHOWN_ROWS],
        "other_count": len(others),
    }
