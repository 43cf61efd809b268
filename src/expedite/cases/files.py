"""Files kept for cases (notices, outputs, material versions): content-addressed, written once."""

from __future__ import annotations

from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .models import CaseDocument


def store_once(path: str, content: bytes) -> None:
    """Write `content` under its content-addressed `path` unless it is there already (the same
    file uploaded twice is stored once, and a stored file is never overwritten)."""
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(content))


def safe_filename(name: str) -> str:
    """The base name with only letters, digits and a few marks: no paths, no control chars."""
    base = PurePath((name or "file").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isalnum() or ch in "._-（）()").lstrip(".")
    return cleaned[-100:] or "file"


def stored_documents(case_id: int | None):
    """(label, storage name, recorded SHA-256) of the case documents kept, for the record's
    check (registered with expedite.audit.verify)."""
    documents = CaseDocument.objects.all()
    if case_id is not None:
        documents = documents.filter(case_id=case_id)
    for doc in documents.order_by("pk"):
        yield doc.name, doc.file.name, doc.sha256
