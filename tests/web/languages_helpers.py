"""What test_languages reads and checks: visible text, what people entered, the catalog.

Kept apart from the test so the rule (in test_languages' docstring) stays readable.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import expedite
from tests.web.test_developer_words import DEVELOPER
from tests.web.test_translations import _po_entries

TEMPLATES = Path(expedite.__file__).parent

# Han ideographs (extension A, the basic block, compatibility) and the punctuation only Chinese
# text uses: the CJK block (。、「」【】《》) and the fullwidth forms (，：（）！？；). Curly quotes
# are not here: the English catalog uses them too.
_HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001-\u303f\uff01-\uff60]")
HAN = re.compile(_HAN_CHAR.pattern + "+")
_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")
_ATTRS = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
_BUTTON_VALUE = re.compile(r'<input\b[^>]*\btype="(?:submit|button)"[^>]*\bvalue="([^"]*)"')
# The language switch names the other language in that language (中文 / English) on purpose.
_SWITCH = re.compile(r'<button\b[^>]*\bname="language"[^>]*>.*?</button>', re.S)
_SIGNING_WARNING = re.compile(r'<div[^>]*id="signing-warning".*?</div>', re.S)
_BETWEEN_HAN = re.compile(f"(?<={_HAN_CHAR.pattern})\\s+(?={_HAN_CHAR.pattern})")
PLACEHOLDER = "\u2063"  # what a removed value leaves: no letter of either language


def visible_text(page: str) -> str:
    """The text a person reads: tags, scripts and styles gone; titles, labels and placeholders
    kept; entities decoded; whitespace collapsed."""
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = _SWITCH.sub(" ", page)
    extra = _ATTRS.findall(page) + _BUTTON_VALUE.findall(page)
    text = re.sub(r"<[^>]+>", " ", page)
    return squash(html.unescape(" ".join([text, *extra])))


# An element that says which language it is in (the summary written in the client's language
# on a staff page): read in that language, not the page's. The page's own <html lang> aside.
_DECLARED = re.compile(
    r'<(?!html\b)(\w+)\b[^>]*(?<![\w-])lang="([\w-]+)"[^>]*>(.*?)</\1>', re.S | re.I
)


def by_language(page: str, lang: str) -> list[tuple[str, str]]:
    """(language, page part) of a page: each element declaring its language apart, the rest in
    the page's language."""
    parts = [(m.group(2).lower(), m.group(0)) for m in _DECLARED.finditer(page)]
    rest = _DECLARED.sub(" ", page)
    known = {"zh-hans", "en"}
    return [(lang, rest), *((code if code in known else lang, part) for code, part in parts)]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def without_signing_warning(page: str) -> str:
    """Administrators are told which settings to configure (test_developer_words): that
    warning names settings and a docs/ path on purpose."""
    return _SIGNING_WARNING.sub(" ", page)


def truncations() -> set[int]:
    """The lengths templates cut entered text to (truncatechars): a cut value is still one."""
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        found.update(int(n) for n in re.findall(r"truncatechars:(\d+)", path.read_text("utf-8")))
    return found


class Entered:
    """Every value people entered or that names someone, to remove before a page is read."""

    def __init__(self, values: Iterable[str]):
        cuts = truncations()
        found = set()
        for value in values:
            value = squash(str(value or ""))
            if len(value) < 2:
                continue
            found.update((value, join_han(value)))
            # What truncatechars:N shows of it: the first N-1 characters and an ellipsis.
            found.update(value[: n - 1] + "…" for n in cuts if len(value) > n)
        # Longest first, so a name inside a longer note does not split the note.
        self.values = sorted(found, key=len, reverse=True)

    def remove(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, PLACEHOLDER)
        return text


# A passage of Chinese: Han runs with the numbers, spaces and marks between them.
_PASSAGE = re.compile(f"{HAN.pattern}(?:[\\d\\s.:/%+·…{PLACEHOLDER}-]*{HAN.pattern})*")


def han_passages(text: str) -> list[str]:
    """The Chinese left in English text, passage by passage; what was removed shows as …"""
    return [m.group().replace(PLACEHOLDER, "…") for m in _PASSAGE.finditer(text)]


class English:
    """The product's own English: each msgstr fragment of two words or more (between
    placeholders), except what the Chinese msgid itself contains (API, PDF, …)."""

    def __init__(self, po: Path):
        by_first: dict[str, set[tuple[str, ...]]] = {}
        for _ctx, msgid, strs, _fuzzy in _po_entries(po):
            source = set(_WORD.findall(msgid.lower()))
            for msgstr in strs:
                plain = re.sub(r"<[^>]+>", " ", msgstr)
                for fragment in _PLACEHOLDER.split(plain):
                    words = tuple(_WORD.findall(fragment.lower()))
                    if len(words) >= 2 and not set(words) <= source:
                        by_first.setdefault(words[0], set()).add(words)
        self.by_first = by_first
        self.count = sum(len(v) for v in by_first.values())

    def found(self, text: str) -> list[str]:
        """The catalog's English phrases in `text` (Chinese breaks a run of English)."""
        out = []
        for run in _HAN_CHAR.split(text.replace(PLACEHOLDER, "\u3000")):
            words = _WORD.findall(run.lower())
            i = 0
            while i < len(words):
                best = None
                for phrase in self.by_first.get(words[i], ()):
                    if tuple(words[i : i + len(phrase)]) == phrase and (
                        best is None or len(phrase) > len(best)
                    ):
                        best = phrase
                if best is None:
                    i += 1
                    continue
                out.append(" ".join(best))
                i += len(best)
        return out


def developer_words(text: str) -> list[str]:
    return DEVELOPER.findall(text)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    title = (reader.metadata or {}).get("/Title")
    return join_han(squash(" ".join([*parts, str(title or "")])))


def join_han(text: str) -> str:
    """Chinese without the breaks a PDF's line wrapping puts between two characters."""
    return _BETWEEN_HAN.sub("", text)


def zip_pdfs(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n.endswith(".pdf") and "/" not in n}


# (app label, model, fields) people write: free text, names, file names. A field holds text or a
# list of texts; `field:key` takes the strings under that key of a JSON field (the rest are codes
# and the catalog's words), `field:*` every string. A dict in a plain field is a phrase the
# product wrote (codes and parameters), not what a person wrote.
ENTERED_FIELDS = (
    ("auth", "User", ("first_name", "last_name", "username", "email")),
    ("accounts", "ApiToken", ("name",)),
    ("accounts", "StaffContact", ("phone",)),
    ("approvals", "ApprovalRequest", ("justification", "decision_reason")),
    ("cases", "Client", ("name", "uscc", "notes")),
    ("cases", "ClientCredential", ("title", "number")),
    ("cases", "ClientContact", ("name", "title", "phone", "email")),
    ("cases", "Case", ("reason",)),
    ("cases", "CaseDocument", ("name",)),
    ("cases", "CostEntry", ("description",)),
    ("custody", "CustodyItem", ("label",)),
    ("custody", "CustodyMovement", ("from_client", "to_client", "purpose", "confirmed_by_client")),
    ("custody", "HandoverCode", ("sent_to_name",)),
    ("delivery", "Confirmation", ("remark", "contact_name")),
    # An upload's rows as the file said them, and the cells its problems quote.
    ("imports", "ImportBatch", ("file_names", "rows:sheet_name", "rows:name", "rows:title")),
    ("imports", "ImportBatch", ("rows:uscc_given", "rows:sheet", "rows:value", "rows:notes")),
    ("kpi", "DeliveryError", ("description", "remedy")),
    ("learning", "Feedback", ("comment",)),
    ("learning", "FollowUp", ("note",)),
    ("learning", "Retrospective", ("went_well", "to_improve", "actions")),
    ("learning", "HandbookEntry", ("title", "body", "decision_reason", "change:item")),
    ("materials", "MaterialSubmission", ("name", "contact", "fields:*")),
    ("materials", "PreReview", ("notice", "verdicts:reason")),
    ("monitoring", "DailyReport", ("done_today", "plan_tomorrow", "client_todo")),
    ("monitoring", "Incident", ("description", "cause", "remedy", "resolution")),
    ("notify", "WebhookEndpoint", ("name",)),
    ("radar", "RadarOutreach", ("note",)),
    ("monitoring", "RiskWarning", ("reason", "mitigation")),
    ("reviews", "Review", ("results:note",)),
    ("reviews", "SubmissionCheck", ("results:note",)),
    ("reviews", "ReviewFinding", ("description", "correction")),
    ("work", "Absence", ("reason",)),
    ("work", "Assignment", ("reason",)),
    ("work", "Track", ("name", "note")),
    ("work", "StepRun", ("note",)),
    ("workdays", "CalendarOverride", ("notice",)),
    ("workdays", "Schedule", ("name",)),
    ("workdays", "Closure", ("reason",)),
)


def _strings(value, key: str | None) -> Iterable[str]:
    """The strings of a JSON value; with `key`, only those under that key at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            if key is None or k == key:
                yield from _strings(v, None)
            else:
                yield from _strings(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str) and key is None:
        yield value


def entered_values() -> list[str]:
    """Every value of ENTERED_FIELDS in the database, with the forms pages show them in:
    staff names as the product writes them, contacts masked as the portal masks them."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from expedite.accounts.selectors import staff_display_name
    from expedite.cases.models import ClientContact
    from expedite.domain.portal import mask_email, mask_name, mask_phone

    values: list[str] = [settings.EXPEDITE_FIRM_NAME]
    for app, model_name, fields in ENTERED_FIELDS:
        model = apps.get_model(app, model_name)
        for spec in fields:
            field, _, key = spec.partition(":")
            for value in model.objects.values_list(field, flat=True):
                if key:
                    values.extend(_strings(value, None if key == "*" else key))
                elif isinstance(value, str):
                    values.append(value)
                elif isinstance(value, list):
                    values.extend(v for v in value if isinstance(v, str))
    values.extend(staff_display_name(u) for u in get_user_model().objects.all())
    for contact in ClientContact.objects.all():
        values += [mask_name(contact.name), mask_phone(contact.phone), mask_email(contact.email)]
    return [v for v in values if v]


def sent_as_written() -> list[str]:
    """Subjects of messages that exist only as written (to a client, in the client's language),
    and the daily reports' lines: the outbox page and the evidence file quote them as they were
    sent, like a letter on file.
    Messages kept as phrases are not among them: those are shown in the reader's language."""
    from expedite.monitoring.models import DailyReport
    from expedite.notify.models import OutboxMessage

    sent = list(OutboxMessage.objects.filter(said={}).values_list("subject", flat=True))
    # A daily report is drafted in the client's language and sent as the liaison left it;
    # the evidence file quotes each line of it.
    for texts in DailyReport.objects.values_list("done_today", "plan_tomorrow", "client_todo"):
        lines = [line for text in texts for line in text.splitlines()]
        # Also without the line's mark (✔ ▶ ·): the PDF's font may have no glyph for it.
        sent += lines + [line.lstrip("✔▶· ") for line in lines]
    return sent
