"""Writes for importing clients: check and preview an upload, then import its good rows.

The preview changes nothing but its own record; the import is one transaction that compares
the rows with the database again, writes in bulk and records one audit event.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.models import Client, ClientContact, ClientCredential
from expedite.domain.audit import AuditKind
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.imports import (
    MAX_ROWS,
    Problem,
    Row,
    SheetKind,
    check_sheet,
    contact_key,
    credential_key,
)
from expedite.domain.roles import Capability

from .models import ImportBatch
from .plan import NEW, REFUSED, SAME, UPDATE, Holdings, as_json, known_contact, plan, summarize
from .reader import read_sheets

# The order rows are planned and written in: companies before the people and papers of them.
SHEET_ORDER = {SheetKind.CLIENTS: 0, SheetKind.CONTACTS: 1, SheetKind.CREDENTIALS: 2}


def _require(actor) -> None:
    if actor is not None and not user_can(actor, Capability.CREATE_CLIENT):
        raise NotAllowed(_("您的角色无权导入客户。"))


def check_files(files: list[tuple[str, bytes]]) -> list[Row]:
    """Every row of every recognised sheet in the files, checked on its own and against the
    rows before it (duplicates), companies first."""
    if not files:
        raise ValidationFailed(gettext_noop("请选择要导入的文件。"), field="file")
    rows: list[Row] = []
    for name, data in files:
        for sheet in read_sheets(name, data):
            checked = check_sheet(sheet.kind, sheet.headers, sheet.rows)
            for row in checked:
                row.values["sheet_name"] = sheet.name
            rows.extend(checked)
    # A full sheet of each kind, at most.
    if len(rows) > len(SheetKind) * MAX_ROWS:
        raise ValidationFailed(
            gettext_noop("一次最多导入 %(max)d 行，请拆分文件。"),
            field="file",
            params={"max": len(SheetKind) * MAX_ROWS},
        )
    _flag_repeats(rows)
    rows.sort(key=lambda r: SHEET_ORDER[r.sheet])
    return rows


def _flag_repeats(rows: list[Row]) -> None:
    """A company in two files (or two sheets) is a duplicate too: the later one is refused."""
    seen: dict[str, tuple[str, int]] = {}
    for row in rows:
        if row.sheet is not SheetKind.CLIENTS or not row.values.get("uscc"):
            continue
        first = seen.setdefault(row.values["uscc"], (row.values["sheet_name"], row.number))
        if first[0] != row.values["sheet_name"]:
            row.refuse(
                "",
                gettext_noop("与“%(sheet)s”第 %(row)d 行重复。"),
                sheet=first[0],
                row=first[1],
            )


def _row_json(row: Row, action: str) -> dict:
    return {
        "sheet": row.sheet.value,
        "number": row.number,
        "values": as_json(row.values),
        "problems": [p.as_json() for p in row.problems],
        "action": action,
    }


def _row_from_json(data: dict) -> Row:
    values = dict(data["values"])
    for key in ("issued", "expires"):
        if values.get(key):
            values[key] = dt.date.fromisoformat(values[key])
    row = Row(SheetKind(data["sheet"]), data["number"], values)
    # Problems the file itself has stay; those found against the database are found again.
    row.problems = [Problem.from_json(p) for p in data["problems"] if p.get("own", True)]
    return row


def _digest(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode("utf-8", "replace") + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


@transaction.atomic
def import_preview(*, actor, files: list[tuple[str, bytes]]) -> ImportBatch:
    """Check the files and record what importing them would do; nothing else changes."""
    _require(actor)
    rows = check_files(files)
    own = [len(r.problems) for r in rows]
    actions, _holdings = plan(rows)
    stored = []
    for row, action, count in zip(rows, actions, own, strict=True):
        data = _row_json(row, action)
        for index, problem in enumerate(data["problems"]):
            problem["own"] = index < count
        stored.append(data)
    return ImportBatch.objects.create(
        created_by=actor if actor is not None else None,
        created_at=clock.now(),
        file_names="、".join(name for name, _data in files)[:500],
        digest=_digest(files),
        rows=stored,
        summary=summarize(rows, actions),
    )


def _new_contact(client_id: int, contact: dict, *, primary: bool) -> ClientContact:
    return ClientContact(
        client_id=client_id,
        name=contact["name"],
        title=contact["title"],
        phone=contact["phone"],
        email=contact["email"],
        language=contact["language"],
        is_primary=primary,
    )


def _update_contact(row: ClientContact, contact: dict) -> ClientContact:
    row.name = contact["name"]
    if contact.get("language_given", True):
        row.language = contact["language"]
    for field in ("title", "phone", "email"):
        if contact[field]:
            setattr(row, field, contact[field])
    return row


class _Writer:
    """Collects the rows' changes and writes them in bulk, companies first."""

    def __init__(self, holdings: Holdings, actor) -> None:
        self.holdings = holdings
        self.actor = actor
        self.new_clients: dict[str, Client] = {}
        self.changed_clients: dict[int, Client] = {}
        self.contacts: dict[tuple[str, str], dict] = {}
        self.credentials: list[tuple[str, dict]] = []

    def client(self, v: dict) -> None:
        client = self.holdings.clients.get(v["uscc"])
        if client is None:
            client = Client(
                name=v["name"],
                uscc=v["uscc"],
                value_tier=v["tier"],
                notes=v["notes"],
                created_by=self.actor,
            )
            self.new_clients[v["uscc"]] = client
        else:
            client.name = v["name"]
            if v["tier_given"]:
                client.value_tier = v["tier"]
            if v["notes"]:
                client.notes = v["notes"]
            self.changed_clients[client.pk] = client
        if v["contact"]:
            self.contact(v["uscc"], v["contact"])

    def contact(self, uscc: str, contact: dict) -> None:
        self.contacts[(uscc, contact_key(contact))] = contact

    def credential(self, v: dict) -> None:
        self.credentials.append((v["uscc"], v))

    def write(self, now: dt.datetime) -> None:
        Client.objects.bulk_create(list(self.new_clients.values()), batch_size=500)
        if self.new_clients:
            # Read the new rows' ids back: not every database returns them from a bulk insert.
            for chunk in _chunked(list(self.new_clients)):
                for client in Client.objects.filter(uscc__in=chunk).only("pk", "uscc"):
                    self.new_clients[client.uscc].pk = client.pk
        Client.objects.bulk_update(
            list(self.changed_clients.values()), ["name", "value_tier", "notes"], batch_size=500
        )
        ids = {**{c.uscc: c.pk for c in self.holdings.clients.values()}}
        ids.update({code: c.pk for code, c in self.new_clients.items()})
        self._write_contacts(ids)
        self._write_credentials(ids, now)

    def _write_contacts(self, ids: dict[str, int]) -> None:
        create, update = [], []
        has = set(self.holdings.has_contacts)
        for (uscc, _key), contact in self.contacts.items():
            client_id = ids[uscc]
            row = known_contact(self.holdings, client_id, contact)
            if row is None:
                create.append(_new_contact(client_id, contact, primary=client_id not in has))
                has.add(client_id)
            else:
                update.append(_update_contact(row, contact))
        ClientContact.objects.bulk_create(create, batch_size=500)
        fields = ["name", "title", "phone", "email", "language"]
        ClientContact.objects.bulk_update(update, fields, batch_size=500)

    def _write_credentials(self, ids: dict[str, int], now: dt.datetime) -> None:
        create, update = [], []
        for uscc, v in self.credentials:
            client_id = ids[uscc]
            row = self.holdings.credential(client_id, v)
            if row is None:
                row = ClientCredential(client_id=client_id, kind=v["kind"])
                self.holdings.credentials[client_id][credential_key(v)] = row
                create.append(row)
            elif row.pk is not None:
                update.append(row)
            row.title, row.updated_at = v["title"], now
            # What the file leaves empty (or has no column for) stays as it was.
            for field, key in (
                ("number", "number"),
                ("issued_on", "issued"),
                ("expires_on", "expires"),
            ):
                if row.pk is None or v.get(f"{key}_given", True):
                    setattr(row, field, v[key])
        ClientCredential.objects.bulk_create(create, batch_size=500)
        fields = ["title", "number", "issued_on", "expires_on", "updated_at"]
        ClientCredential.objects.bulk_update(update, fields, batch_size=500)


def _chunked(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def import_apply(*, actor, batch: ImportBatch, actor_label: str = "") -> ImportBatch:
    """Import the batch's good rows, as the database stands now; refused rows are left out."""
    _require(actor)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.applied_at is not None:
        raise ValidationFailed(gettext_noop("这批数据已经导入过了。"), field="batch")
    rows = [_row_from_json(data) for data in batch.rows]
    own = [len(r.problems) for r in rows]
    actions, holdings = plan(rows)
    writer = _Writer(holdings, actor)
    for row, action in zip(rows, actions, strict=True):
        if action in (REFUSED, SAME):
            continue
        if row.sheet is SheetKind.CLIENTS:
            writer.client(row.values)
        elif row.sheet is SheetKind.CONTACTS:
            writer.contact(row.values["uscc"], row.values["contact"])
        else:
            writer.credential(row.values)
    now = clock.now()
    writer.write(now)
    stored = []
    for row, action, count in zip(rows, actions, own, strict=True):
        data = _row_json(row, action)
        for index, problem in enumerate(data["problems"]):
            problem["own"] = index < count
        stored.append(data)
    batch.rows = stored
    batch.summary = summarize(rows, actions)
    batch.applied_at = now
    batch.applied_by = actor
    batch.save(update_fields=["rows", "summary", "applied_at", "applied_by"])
    audit_record(
        kind=AuditKind.CLIENTS_IMPORTED,
        actor=actor,
        actor_label=actor_label,
        payload={
            "batch_id": batch.pk,
            "files": batch.file_names,
            "digest": batch.digest,
            "summary": batch.summary,
        },
    )
    return batch


__all__ = ["NEW", "REFUSED", "SAME", "UPDATE", "check_files", "import_apply", "import_preview"]
