"""Clients, contacts and licences from a firm's spreadsheet: which sheet is which, and each
row's values checked, with every problem of every row named.

A sheet is recognised by its header row, not its name, so a CSV file holds any one of the
three kinds and a workbook any of them. Rows come in as lists of cell values (text, numbers,
dates, as the file reader gives them); what comes out is canonical values or problems.
Comparing with what the firm already holds is the caller's part.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .errors import DomainError, ValidationFailed, gettext_noop
from .identifiers import normalize_phone, normalize_uscc
from .text import clean_text

# A bound on one import: a firm's whole client list fits; a runaway file does not.
MAX_ROWS = 20_000


class SheetKind(enum.StrEnum):
    CLIENTS = "clients"
    CONTACTS = "contacts"
    CREDENTIALS = "credentials"


class CredentialKind(enum.StrEnum):
    """What a client holds that has a number and, often, an end date."""

    BUSINESS_LICENCE = "business_licence"
    PERMIT = "permit"
    CERTIFICATE = "certificate"
    SEAL = "seal"
    OTHER = "other"


# The words a spreadsheet uses for each kind (the template's own first).
CREDENTIAL_WORDS = {
    CredentialKind.BUSINESS_LICENCE: ("营业执照", "business licence", "business license"),
    CredentialKind.PERMIT: ("许可证", "permit", "licence", "license"),
    CredentialKind.CERTIFICATE: ("资质证书", "证书", "certificate"),
    CredentialKind.SEAL: ("印章", "seal"),
    CredentialKind.OTHER: ("其他", "other"),
}

TIER_WORDS = {
    "standard": ("普通", "standard", ""),
    "key": ("重点客户", "重点", "key"),
    "strategic": ("战略客户", "战略", "strategic"),
}

LANGUAGE_WORDS = {
    "zh-hans": ("中文", "chinese", "zh", "zh-hans", ""),
    "en": ("英文", "english", "en"),
}

# "No end date" as people write it on a 营业执照.
_OPEN_ENDED = {"长期", "长期有效", "永久", "无", "permanent", "none", "-", "—"}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str  # the template's header (Chinese), also the name in problems
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: dict[SheetKind, tuple[Column, ...]] = {
    SheetKind.CLIENTS: (
        Column("name", gettext_noop("公司名称"), ("company", "company name"), required=True),
        Column(
            "uscc",
            gettext_noop("统一社会信用代码"),
            ("信用代码", "uscc", "credit code"),
            required=True,
        ),
        Column("tier", gettext_noop("客户价值等级"), ("客户等级", "tier")),
        Column("notes", gettext_noop("备注"), ("notes",)),
        Column("contact", gettext_noop("联系人"), ("contact", "contact name")),
        Column("title", gettext_noop("职务"), ("title",)),
        Column("phone", gettext_noop("手机号"), ("电话", "phone", "mobile")),
        Column("email", gettext_noop("电子邮箱"), ("邮箱", "email", "e-mail")),
        Column("language", gettext_noop("语言"), ("language",)),
    ),
    SheetKind.CONTACTS: (
        Column(
            "uscc",
            gettext_noop("统一社会信用代码"),
            ("信用代码", "uscc", "credit code"),
            required=True,
        ),
        Column("contact", gettext_noop("联系人"), ("contact", "contact name"), required=True),
        Column("title", gettext_noop("职务"), ("title",)),
        Column("phone", gettext_noop("手机号"), ("电话", "phone", "mobile")),
        Column("email", gettext_noop("电子邮箱"), ("邮箱", "email", "e-mail")),
        Column("language", gettext_noop("语言"), ("language",)),
    ),
    SheetKind.CREDENTIALS: (
        Column(
            "uscc",
            gettext_noop("统一社会信用代码"),
            ("信用代码", "uscc", "credit code"),
            required=True,
        ),
        Column("kind", gettext_noop("证照类别"), ("类别", "kind"), required=True),
        Column("title", gettext_noop("证照名称"), ("名称", "name"), required=True),
        Column("number", gettext_noop("证照编号"), ("编号", "证号", "number")),
        Column("issued", gettext_noop("发证日期"), ("issued", "issued on")),
        Column("expires", gettext_noop("有效期至"), ("到期日期", "expires", "expires on")),
    ),
}

# What tells the kinds apart: a clients sheet names the company, a licences sheet the kind.
_SIGNATURE = {
    SheetKind.CLIENTS: "name",
    SheetKind.CREDENTIALS: "kind",
    SheetKind.CONTACTS: "contact",
}

SHEET_TITLES = {
    SheetKind.CLIENTS: gettext_noop("客户"),
    SheetKind.CONTACTS: gettext_noop("联系人"),
    SheetKind.CREDENTIALS: gettext_noop("证照"),
}


def _norm_header(value) -> str:
    text = re.sub(r"\s+", " ", str(value or "")).strip().lower()
    return text.rstrip("*＊").strip()


def header_map(kind: SheetKind, headers: Sequence) -> dict[str, int]:
    """Column key → index, for the headers of `kind` found in `headers`."""
    names = [_norm_header(h) for h in headers]
    found: dict[str, int] = {}
    for column in COLUMNS[kind]:
        for word in (column.label, *column.aliases):
            w = _norm_header(word)
            if w in names:
                found[column.key] = names.index(w)
                break
    return found


def detect_kind(headers: Sequence) -> SheetKind | None:
    """The kind of sheet these headers begin, or None (an instructions sheet, say)."""
    for kind in (SheetKind.CLIENTS, SheetKind.CREDENTIALS, SheetKind.CONTACTS):
        if _SIGNATURE[kind] in header_map(kind, headers):
            return kind
    return None


def missing_columns(kind: SheetKind, headers: Sequence) -> list[str]:
    """The labels of required columns the headers lack."""
    found = header_map(kind, headers)
    return [c.label for c in COLUMNS[kind] if c.required and c.key not in found]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one row: a message template, its parameters, and the column."""

    column: str  # a column label ("" for the row as a whole)
    template: str
    params: dict = field(default_factory=dict)

    @classmethod
    def of(cls, column: str, error: DomainError) -> Problem:
        return cls(column, error.template, dict(error.params))

    def as_json(self) -> dict:
        return {"column": self.column, "template": self.template, "params": self.params}

    @classmethod
    def from_json(cls, data: dict) -> Problem:
        return cls(data["column"], data["template"], dict(data.get("params") or {}))


@dataclass(slots=True)
class Row:
    """A row of a sheet: its number in the file (the header is row 1), canonical values, and
    its problems (none: it can be imported)."""

    sheet: SheetKind
    number: int
    values: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def refuse(self, column: str, template: str, **params) -> None:
        self.problems.append(Problem(column, template, params))


def cell_text(value) -> str:
    """A cell as text: numbers as people typed them (13800138000, not 1.38e10)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# Excel stores dates as days since 1899-12-30; a number cell in this range is such a date.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_DAYS = range(18_264, 73_051)  # 1950-01-01 … 2099-12-31


def parse_date(value) -> dt.date | None:
    """A date as a spreadsheet gives it, None for an empty or open-ended cell; ValueError
    when the cell is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if int(value) == value and int(value) in _EXCEL_DAYS:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(value)
    text = cell_text(value)
    if not text or text.lower() in _OPEN_ENDED:
        return None
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def _word(value: str, words: dict, default: str) -> str | None:
    text = _norm_header(value)
    if not text:
        return default
    for key, spellings in words.items():
        if text in {_norm_header(s) for s in spellings if s}:
            return str(key)
    return None


def _text(row: Row, raw: dict, key: str, label: str, max_length: int, *, required=False) -> str:
    try:
        return clean_text(
            cell_text(raw.get(key)),
            field=key,
            label=label,
            max_length=max_length,
            required=required,
        )
    except DomainError as exc:
        row.problems.append(Problem.of(label, exc))
        return ""


def _uscc(row: Row, raw: dict) -> str:
    label = COLUMNS[SheetKind.CLIENTS][1].label
    text = cell_text(raw.get("uscc"))
    if not text:
        row.refuse(label, gettext_noop("请填写%(label)s。"), label=label)
        return ""
    try:
        return normalize_uscc(text)
    except DomainError as exc:
        row.problems.append(Problem.of(label, exc))
        return ""


def _contact(row: Row, raw: dict, *, required: bool) -> dict | None:
    """The contact columns of a row: None when all are empty and none is required."""
    keys = ("contact", "title", "phone", "email", "language")
    if not required and not any(cell_text(raw.get(k)) for k in keys):
        return None
    name = _text(row, raw, "contact", gettext_noop("联系人"), 100, required=True)
    title = _text(row, raw, "title", gettext_noop("职务"), 100)
    phone_text = cell_text(raw.get("phone"))
    phone = ""
    if phone_text:
        try:
            phone = normalize_phone(phone_text)
        except DomainError as exc:
            row.problems.append(Problem.of(gettext_noop("手机号"), exc))
    email = _text(row, raw, "email", gettext_noop("电子邮箱"), 254).lower()
    if email and not _EMAIL_RE.match(email):
        row.refuse(gettext_noop("电子邮箱"), gettext_noop("电子邮箱格式不正确。"))
    if not phone_text and not email:
        row.refuse(gettext_noop("手机号"), gettext_noop("联系人至少需要手机号或电子邮箱之一。"))
    language = _word(cell_text(raw.get("language")), LANGUAGE_WORDS, "zh-hans")
    if language is None:
        row.refuse(gettext_noop("语言"), gettext_noop("语言应为“中文”或“英文”。"))
    return {
        "name": name,
        "title": title,
        "phone": phone,
        "email": email,
        "language": language,
        # An empty cell keeps a known contact's language; a new contact reads Chinese.
        "language_given": bool(cell_text(raw.get("language"))),
    }


# The shape Django's validator accepts for ordinary addresses; the service checks again.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_client(number: int, raw: dict) -> Row:
    row = Row(SheetKind.CLIENTS, number)
    name = _text(row, raw, "name", gettext_noop("公司名称"), 200, required=True)
    uscc = _uscc(row, raw)
    tier = _word(cell_text(raw.get("tier")), TIER_WORDS, "standard")
    if tier is None:
        row.refuse(
            gettext_noop("客户价值等级"),
            gettext_noop("客户价值等级应为“普通”“重点客户”或“战略客户”。"),
        )
    notes = _text(row, raw, "notes", gettext_noop("备注"), 2000)
    contact = _contact(row, raw, required=False)
    row.values = {
        "name": name,
        "uscc": uscc,
        "tier": tier,
        "notes": notes,
        "contact": contact,
        "tier_given": bool(cell_text(raw.get("tier"))),
    }
    return row


def check_contact(number: int, raw: dict) -> Row:
    row = Row(SheetKind.CONTACTS, number)
    uscc = _uscc(row, raw)
    row.values = {"uscc": uscc, "contact": _contact(row, raw, required=True)}
    return row


def check_credential(number: int, raw: dict) -> Row:
    row = Row(SheetKind.CREDENTIALS, number)
    uscc = _uscc(row, raw)
    kind = _word(cell_text(raw.get("kind")), CREDENTIAL_WORDS, "")
    if not kind:
        row.refuse(
            gettext_noop("证照类别"),
            gettext_noop("证照类别应为营业执照、许可证、资质证书、印章或其他。"),
        )
    title = _text(row, raw, "title", gettext_noop("证照名称"), 100, required=True)
    number_text = _text(row, raw, "number", gettext_noop("证照编号"), 64)
    dates = {}
    for key, label in (("issued", gettext_noop("发证日期")), ("expires", gettext_noop("有效期至"))):
        try:
            dates[key] = parse_date(raw.get(key))
        except ValueError:
            dates[key] = None
            row.refuse(
                label,
                gettext_noop("%(label)s“%(value)s”不是日期（例如 2027-03-31，或填“长期”）。"),
                label=label,
                value=cell_text(raw.get(key))[:40],
            )
    if dates.get("issued") and dates.get("expires") and dates["expires"] < dates["issued"]:
        row.refuse(gettext_noop("有效期至"), gettext_noop("有效期至早于发证日期。"))
    row.values = {
        "uscc": uscc,
        "kind": kind or "",
        "title": title,
        "number": number_text.upper(),
        "issued": dates.get("issued"),
        "expires": dates.get("expires"),
        # An absent column or an empty cell keeps what is known; 长期 clears an end date.
        "issued_given": bool(cell_text(raw.get("issued"))),
        "expires_given": bool(cell_text(raw.get("expires"))),
        "number_given": bool(number_text),
    }
    return row


CHECKS = {
    SheetKind.CLIENTS: check_client,
    SheetKind.CONTACTS: check_contact,
    SheetKind.CREDENTIALS: check_credential,
}


def contact_key(contact: dict) -> str:
    """Who a contact is, within one client: the phone if any, else the e-mail."""
    return contact["phone"] or contact["email"]


def contact_keys(contact: dict) -> set[str]:
    """Everything that names a contact within one client: the same phone or the same e-mail
    is the same person, whichever of the two another row gives."""
    return {contact["phone"], contact["email"]} - {""}


def credential_key(values: dict) -> tuple[str, str]:
    """Which licence a row means, within one client: its kind and number (or its name)."""
    return values["kind"], values["number"] or values["title"]


def check_sheet(kind: SheetKind, headers: Sequence, rows: Iterable[Sequence]) -> list[Row]:
    """Every data row of a sheet checked, and the rows that repeat an earlier one flagged.

    Blank rows are skipped; row numbers count from the header (row 1), as Excel shows them.
    """
    columns = header_map(kind, headers)
    check = CHECKS[kind]
    out: list[Row] = []
    seen: dict = {}
    for offset, cells in enumerate(rows, start=2):
        raw = {key: cells[i] if i < len(cells) else None for key, i in columns.items()}
        if not any(cell_text(v) for v in raw.values()):
            continue
        if len(out) >= MAX_ROWS:
            raise ValidationFailed(
                gettext_noop("一次最多导入 %(max)d 行，请拆分文件。"), params={"max": MAX_ROWS}
            )
        row = check(offset, raw)
        # What the row said, for the preview, when it is not a credit code.
        row.values["uscc_given"] = cell_text(raw.get("uscc"))[:40]
        keys = _duplicate_keys(row)
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            row.refuse("", gettext_noop("与第 %(row)d 行重复。"), row=first)
        else:
            seen.update(dict.fromkeys(keys, offset))
        out.append(row)
    return out


def _duplicate_keys(row: Row) -> list:
    v = row.values
    if not v.get("uscc"):
        return []
    if row.sheet is SheetKind.CLIENTS:
        return [v["uscc"]]
    if row.sheet is SheetKind.CONTACTS:
        contact = v.get("contact")
        return [(v["uscc"], key) for key in sorted(contact_keys(contact))] if contact else []
    if not v.get("kind"):
        return []
    return [(v["uscc"], credential_key(v))]
