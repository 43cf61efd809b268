"""What importing checked rows would do to the firm's records: for each row, new, update,
same or refused — with the problems that only the database and the other sheets reveal
(a contact for a company nobody registered, a new company with nobody to call)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from expedite.cases.models import Client, ClientContact, ClientCredential
from expedite.domain.errors import gettext_noop
from expedite.domain.imports import Row, SheetKind, contact_keys, credential_key

NEW, UPDATE, SAME, REFUSED = "new", "update", "same", "refused"

# SQLite allows 32,766 parameters a statement since 3.32, older builds 999.
CHUNK = 900


def _chunks(items: list) -> Iterable[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class Holdings:
    """What the database holds for the codes in a file, read in a few queries."""

    def __init__(self, codes: set[str]) -> None:
        self.clients: dict[str, Client] = {}
        for chunk in _chunks(sorted(codes)):
            for client in Client.objects.filter(uscc__in=chunk):
                self.clients[client.uscc] = client
        ids = [c.pk for c in self.clients.values()]
        self.contacts: dict[int, dict[str, ClientContact]] = defaultdict(dict)
        self.has_contacts: set[int] = set()
        self.credentials: dict[int, dict[tuple, ClientCredential]] = defaultdict(dict)
        for chunk in _chunks(ids):
            for contact in ClientContact.objects.filter(client_id__in=chunk):
                self.has_contacts.add(contact.client_id)
                for key in {contact.phone, contact.email.lower()} - {""}:
                    self.contacts[contact.client_id].setdefault(key, contact)
            for cred in ClientCredential.objects.filter(client_id__in=chunk):
                key = (cred.kind, cred.number or cred.title)
                self.credentials[cred.client_id][key] = cred
                # A row without a number still finds a numbered licence by its name.
                self.credentials[cred.client_id].setdefault(("title", cred.kind, cred.title), cred)

    def credential(self, client_id: int, values: dict) -> ClientCredential | None:
        """The licence a row means: by kind and number, or, when the row gives no number,
        by kind and name."""
        known = self.credentials[client_id]
        found = known.get(credential_key(values))
        if found is None and not values.get("number"):
            found = known.get(("title", values["kind"], values["title"]))
        return found


def _contact_changes(contact: dict, row: ClientContact | None) -> bool:
    if row is None:
        return True
    return (
        contact["name"] != row.name
        or (contact["title"] and contact["title"] != row.title)
        or (contact.get("language_given", True) and contact["language"] != row.language)
        or (contact["phone"] and contact["phone"] != row.phone)
        or (contact["email"] and contact["email"] != row.email.lower())
    )


def known_contact(holdings: Holdings, client_id: int | None, contact: dict) -> ClientContact | None:
    """The registered contact a row means: the same phone, or else the same e-mail."""
    if client_id is None:
        return None
    known = holdings.contacts.get(client_id, {})
    return known.get(contact["phone"]) or known.get(contact["email"])


def _client_changes(values: dict, client: Client) -> bool:
    return (
        values["name"] != client.name
        or (values["tier_given"] and values["tier"] != client.value_tier)
        or (values["notes"] and values["notes"] != client.notes)
    )


def _credential_changes(values: dict, row: ClientCredential | None) -> bool:
    if row is None:
        return True
    return (
        values["title"] != row.title
        or (values.get("number_given", True) and values["number"] != row.number)
        or (values.get("issued_given", True) and values["issued"] != row.issued_on)
        or (values.get("expires_given", True) and values["expires"] != row.expires_on)
    )


_EMAIL = gettext_noop("电子邮箱")


def _check_email(r: Row) -> None:
    # The domain checks an address's shape; Django's validator (the one forms use) has the
    # last word, so an imported address is one the rest of the product accepts.
    contact = r.values.get("contact")
    if not contact or not contact["email"] or any(p.column == _EMAIL for p in r.problems):
        return
    try:
        validate_email(contact["email"])
    except ValidationError:
        r.refuse(_EMAIL, gettext_noop("电子邮箱格式不正确。"))


def plan(rows: list[Row]) -> tuple[list[str], Holdings]:
    """Each row's action (NEW, UPDATE, SAME or REFUSED), adding the problems found here to the
    rows; and what the database held when planned (the import writes from it)."""
    codes = {r.values["uscc"] for r in rows if r.values.get("uscc")}
    holdings = Holdings(codes)
    for r in rows:
        _check_email(r)
    sheet_contacts = defaultdict(list)
    for r in rows:
        if r.sheet is SheetKind.CONTACTS and r.ok:
            sheet_contacts[r.values["uscc"]].append(r)
    # A new company needs someone to call; refused before its contacts and licences are
    # planned, so they are refused with it.
    for r in rows:
        code = r.values.get("uscc")
        new = r.sheet is SheetKind.CLIENTS and code and code not in holdings.clients
        if new and r.values["contact"] is None and not sheet_contacts[code]:
            r.refuse(
                gettext_noop("联系人"),
                gettext_noop("新客户至少需要一位联系人：请填写联系人和手机号或电子邮箱。"),
            )
    clients_ok = {r.values["uscc"] for r in rows if r.sheet is SheetKind.CLIENTS and r.ok}
    clients_bad = {
        r.values["uscc"] for r in rows if r.sheet is SheetKind.CLIENTS and not r.ok
    } - clients_ok
    inline: dict[tuple[str, str], int] = {}
    for r in rows:
        if r.sheet is SheetKind.CLIENTS and r.ok and r.values["contact"]:
            for key in contact_keys(r.values["contact"]):
                inline.setdefault((r.values["uscc"], key), r.number)

    def company_problem(r: Row) -> None:
        code = r.values["uscc"]
        if code in clients_bad and code not in holdings.clients:
            r.refuse("", gettext_noop("该公司所在的客户行有问题，未能导入。"))
        elif code not in clients_ok and code not in holdings.clients:
            r.refuse(
                gettext_noop("统一社会信用代码"),
                gettext_noop("没有统一社会信用代码为 %(code)s 的客户：请在客户表中一并填写。"),
                code=code,
            )

    actions: list[str] = []
    for r in rows:
        if r.ok and r.sheet is not SheetKind.CLIENTS:
            company_problem(r)
        if r.ok and r.sheet is SheetKind.CONTACTS:
            code = r.values["uscc"]
            twins = [
                inline[(code, k)] for k in contact_keys(r.values["contact"]) if (code, k) in inline
            ]
            twin = min(twins, default=None)
            if twin is not None:
                r.refuse("", gettext_noop("与客户表第 %(row)d 行的联系人重复。"), row=twin)
        if not r.ok:
            actions.append(REFUSED)
            continue
        client = holdings.clients.get(r.values["uscc"])
        if r.sheet is SheetKind.CLIENTS:
            contact = r.values["contact"]
            if client is None:
                actions.append(NEW)
            elif _client_changes(r.values, client) or (
                contact is not None
                and _contact_changes(contact, known_contact(holdings, client.pk, contact))
            ):
                actions.append(UPDATE)
            else:
                actions.append(SAME)
        elif r.sheet is SheetKind.CONTACTS:
            known = known_contact(holdings, client and client.pk, r.values["contact"])
            if known is None:
                actions.append(NEW)
            else:
                changed = _contact_changes(r.values["contact"], known)
                actions.append(UPDATE if changed else SAME)
        else:
            known = holdings.credential(client.pk, r.values) if client is not None else None
            if known is None:
                actions.append(NEW)
            else:
                actions.append(UPDATE if _credential_changes(r.values, known) else SAME)
    return actions, holdings


def summarize(rows: list[Row], actions: list[str]) -> dict:
    summary = {kind.value: {NEW: 0, UPDATE: 0, SAME: 0, REFUSED: 0} for kind in SheetKind}
    for r, action in zip(rows, actions, strict=True):
        summary[r.sheet.value][action] += 1
    return summary


def as_json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value
