"""Every page, message and PDF of the demo reads in one language: the reader's.

The demo is loaded once; each demo role's first user then reads every staff page it can reach
from the home page and the URL configuration's pages (links and htmx panels), in Chinese and in
English; an anonymous browser reads the client pages of each case's link (before and after the
code check) in both; the outbox and the generated PDFs (结果确认单, the evidence index) are read
too. Cases: the demo's live ones and one finished history case of each kind.

The rule, after removing every value people entered or that names someone (client, contact
and staff names, case reasons, notes, comments, findings, handbook entries, file names, office
names …, read from the database, also as templates cut them), and, on the outbox page and in
the evidence file only, the subjects of messages sent to clients and the lines of daily
reports, which those quote as sent, in the client's language:

- English output has no Han character and no Chinese punctuation (，。：（）【】、 …) left;
- Chinese output has no English phrase of the product's own (a msgstr, or a piece of one
  between placeholders, of two words or more, of the English catalog) and none of the
  developer words of test_developer_words (codes, solver names, settings, docs/ paths).

Visible text is the HTML without scripts, styles and tags, plus titles, aria-labels,
placeholders, alt texts and button values. An element that declares its language (`lang`, such
as the summary a liaison sends, written in the client's language) is read in that language.
The language switch (中文 / English) names the other language in that language on purpose and
is not read.

Messages and 结果确认单 are stored once, already written: a message is read in the language it
records (a client contact's, a staff member's chosen one), and a staff message kept as phrases
also as the app shows it in each language. The evidence index is built on each export, so it
is exported in both languages.

Run alone: `pytest -m languages` (70-90 s, nearly all of it the reading, done once).
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, TestCase

import expedite
from tests.conftest import suite_instant
from tests.web import languages_helpers as lh
from tests.web.authz_rules import PAGES, routes

pytestmark = [pytest.mark.django_db, pytest.mark.languages]

PO = Path(expedite.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
LANGUAGES = ("zh-hans", "en")
# Not pages a person reads in this product's words: Django's admin site, the API (and its
# generated docs), static files, downloads (the PDFs among them are read from the database).
SKIP = re.compile(
    r"^/(?:admin|api|static|i18n|logout|p)/|/download/|\.xlsx$|/qr(?:\.svg)?/?$|^/login/"
)
CASE_URL = re.compile(r"^/cases/(\d+)/")
HREF = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
SHOWN = 40  # failures listed in the assertion message
# Pages of the URL configuration (authz_rules.PAGES) not read here: the log-in page, health
# check, the API's, the KPI spreadsheet, and the QR code of the client's link (an image).
UNREAD = {"login", "healthz", "api-root", "openapi-json", "openapi-view", "kpi_export"}
UNREAD |= {"portal_link_qr", "portal_link_qr_svg"}
# Spreadsheets: the lists' exports, the import's template and report.
UNREAD |= {"case_list_export", "client_list_export", "custody_list_export"}
UNREAD |= {"approval_inbox_export", "client_import_template", "client_import_report"}
# A log-in's second step and single sign-on: nothing to read without a log-in under way.
UNREAD |= {"login_code", "login_enrol", "oidc_authentication_init", "oidc_authentication_callback"}
# A redirect to the client's page, which is read as the portal.
UNREAD |= {"short_link"}
# A calendar, read by calendar apps (tests/web/test_calendar_feeds.py parses it).
UNREAD |= {"calendar_feed"}


def _roles_first_users():
    from expedite.ops.demo import DEMO_USERS

    seen, out = set(), []
    for spec in DEMO_USERS:
        if spec.role not in seen:
            seen.add(spec.role)
            out.append(spec.username)
    return out


class Reading:
    """What the module read: (where, language, text) of every page, message and PDF."""

    def __init__(self):
        self.items: list[tuple[str, str, str, str]] = []  # (kind, where, lang, text)
        self.dev_items: list[tuple[str, str, str]] = []  # (where, lang, text) for developer words
        self.statuses: Counter = Counter()
        self.routes: set[str] = set()
        self.english_nav: dict[str, str] = {}
        self.seconds = 0.0
        self.entered: lh.Entered | None = None
        self.quoted: lh.Entered | None = None

    def add(self, kind: str, where: str, lang: str, text: str, *, dev_text: str | None = None):
        self.items.append((kind, where, lang, text))
        self.dev_items.append((where, lang, text if dev_text is None else dev_text))

    def count(self, kind: str) -> int:
        return len({(where, lang) for k, where, lang, _t in self.items if k == kind})


def _staff_client(user, lang: str) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post("/i18n/setlang/", {"language": lang, "next": "/"}).status_code == 302
    return client


def _sampled_cases() -> set[int]:
    """The demo's live cases, and one of its finished history cases of each kind (the KPI
    trends' 30-odd closed cases read alike; one of each way a case went is enough)."""
    from expedite.cases.models import Case
    from expedite.kpi.demo import HISTORY, HISTORY_CASES

    kinds = {reason: kind for _service, reason, kind in HISTORY}
    keep, kinds_seen = set(Case.objects.exclude(HISTORY_CASES).values_list("pk", flat=True)), set()
    for pk, reason in Case.objects.filter(HISTORY_CASES).order_by("pk").values_list("pk", "reason"):
        if kinds.get(reason) not in kinds_seen:
            kinds_seen.add(kinds.get(reason))
            keep.add(pk)
    return keep


def _start_urls() -> list[str]:
    names = set(PAGES) - UNREAD
    return [f"/{route}" for route, name in routes() if name in names and "<" not in route]


def _elsewhere(url: str, cases: set[int]) -> bool:
    """A page of a case outside the sample."""
    m = CASE_URL.match(url)
    return m is not None and int(m.group(1)) not in cases


def _crawl_staff(reading: Reading, username: str, lang: str, cases: set[int]) -> None:
    user = get_user_model().objects.get(username=username)
    client = _staff_client(user, lang)
    # From the home page, and every page without parameters even where nothing links to it.
    todo, seen = [*_start_urls(), "/"], set()
    while todo:
        url = todo.pop()
        if url in seen or _elsewhere(url, cases):
            continue
        seen.add(url)
        response = client.get(url)
        reading.statuses[response.status_code] += 1
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        reading.routes.add(_route(url))
        if url == "/" and lang == "en":
            reading.english_nav[username] = page
        if response.status_code == 200:
            for href in HREF.findall(page):
                href = href.replace("&amp;", "&")
                if href not in seen and not SKIP.search(href):
                    todo.append(href)
        for part_lang, part in lh.by_language(page, lang):
            reading.add(
                "page",
                f"{_route(url)} {url} [{username}]",
                part_lang,
                lh.visible_text(part),
                dev_text=lh.visible_text(lh.without_signing_warning(part)),
            )


def _route(url: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(url.split("?")[0]).url_name or "?"
    except Resolver404:
        return "?"


def _portal_tokens(cases: set[int]) -> list[tuple[str, str]]:
    """The client link of each sampled case (each case has one from its creation)."""
    from expedite.cases.models import Case
    from expedite.portal.links import current_link, token_of

    out = []
    for case in Case.objects.filter(pk__in=cases).order_by("pk"):
        link = current_link(case)
        if link is not None:
            out.append((case.reference, token_of(link)))
    return out


def _crawl_portal(reading: Reading, lang: str, cases: set[int]) -> None:
    from django.core.cache import cache

    from expedite.portal.access import mark_verified

    for reference, token in _portal_tokens(cases):
        for verified in (False, True):
            client = Client()
            client.post("/i18n/setlang/", {"language": lang, "next": "/"})
            if verified:
                _verify(client, token, mark_verified)
            base = f"/p/{token}/"
            todo, seen = [base], set()
            while todo:
                url = todo.pop()
                if url in seen:
                    continue
                seen.add(url)
                # The lookup limit counts per address; this is one visitor reading many links.
                cache.clear()
                response = client.get(url)
                reading.statuses[response.status_code] += 1
                if "text/html" not in response.get("Content-Type", ""):
                    continue
                page = response.content.decode()
                for href in HREF.findall(page):
                    href = href.replace("&amp;", "&")
                    if href.startswith(base) and href not in seen and "/files/" not in href:
                        todo.append(href)
                where = url.replace(token, "…")
                state = "verified" if verified else "link"
                for part_lang, part in lh.by_language(page, lang):
                    where_read = f"portal {reference} {state} {where}"
                    reading.add("portal", where_read, part_lang, lh.visible_text(part))


def _verify(client: Client, token: str, mark_verified) -> None:
    """What a correct code leaves in the session: the client proved it reads a contact's mail."""
    from django.http import HttpRequest

    from expedite import clock
    from expedite.portal.access import case_for_token

    case = case_for_token(token)
    request = HttpRequest()
    request.session = client.session
    mark_verified(request, case, now=clock.now(), contact=case.client.contacts.first().name)
    request.session.save()


def _language_of(contact) -> str:
    """The language a client contact reads (Chinese where none is recorded)."""
    return getattr(contact, "language", "") or "zh-hans"


def _read_outbox(reading: Reading) -> None:
    """Messages are stored written, each in the language it records (a client contact's, or
    the staff member's chosen one for e-mail); a staff message kept as phrases is also read as
    the app shows it, in each language."""
    from django.utils import translation

    from expedite.notify.models import OutboxMessage

    # A webhook's body is JSON for another system to read, in no person's language.
    for message in OutboxMessage.objects.exclude(channel="webhook").order_by("pk"):
        text = lh.squash(f"{message.subject} {message.body}")
        who = message.recipient or f"user {message.user_id}"
        where = f"{message.channel} to {who}: {message.subject[:30]}"
        reading.add("message", where, message.language, text)
        if message.said:
            for lang in LANGUAGES:
                with translation.override(lang):
                    shown = f"{message.shown_subject} {message.shown_body}"
                reading.add("message", f"{where} (as shown)", lang, lh.squash(shown))


def _read_pdfs(reading: Reading) -> None:
    from expedite.cases.models import Case, CaseDocument
    from expedite.delivery.models import Confirmation
    from expedite.domain.delivery import CONFIRMATION_KIND

    # The 结果确认单 is written once, in the language of the contact who confirmed.
    for doc in CaseDocument.objects.filter(kind=CONFIRMATION_KIND).select_related("case"):
        with doc.file.open("rb") as fh:
            text = lh.pdf_text(fh.read())
        confirmation = Confirmation.objects.filter(case=doc.case).first()
        contact = doc.case.client.contacts.filter(name=confirmation.contact_name).first()
        lang = _language_of(contact)
        reading.add("pdf", f"结果确认单 {doc.case.reference}", lang, text)
    # The evidence export is built on request: one case of each state, in both languages.
    cases = {}
    for case in Case.objects.order_by("pk"):
        cases.setdefault(case.state, case)
    manager = get_user_model().objects.get(username="chenjing")
    for lang in LANGUAGES:
        client = _staff_client(manager, lang)
        for case in cases.values():
            response = client.post(f"/cases/{case.pk}/evidence/")
            reading.statuses[response.status_code] += 1
            for name, data in lh.zip_pdfs(response.content).items():
                reading.add("pdf", f"evidence {case.reference} {name}", lang, lh.pdf_text(data))


@pytest.fixture(scope="module")
def reading(django_db_setup, django_db_blocker):
    """Load the demo at the suite's instant and read everything, inside one transaction that
    is rolled back when the module ends."""
    from django.core.cache import cache

    from expedite.cases import plans
    from expedite.cases.services import catalog_sync
    from expedite.catalog import default_catalog_text, load_default_catalog
    from expedite.ops.demo import demo_load
    from tests.conftest import _reseed_data_migrations

    result = Reading()
    started = time.monotonic()
    with (
        django_db_blocker.unblock(),
        time_machine.travel(suite_instant(), tick=True),
        transaction.atomic(),
    ):
        plans._cache.clear()
        cache.clear()
        _reseed_data_migrations()
        catalog_sync(catalog=load_default_catalog(), text=default_catalog_text(), source="test")
        from expedite import clock

        # Files are written when a transaction commits; this one never does.
        with TestCase.captureOnCommitCallbacks(execute=True):
            demo_load(now=clock.now())
        result.entered = lh.Entered(lh.entered_values())
        result.quoted = lh.Entered(lh.sent_as_written())
        cases = _sampled_cases()
        for username in _roles_first_users():
            for lang in LANGUAGES:
                _crawl_staff(result, username, lang, cases)
        for lang in LANGUAGES:
            _crawl_portal(result, lang, cases)
        _read_outbox(result)
        _read_pdfs(result)
        result.seconds = time.monotonic() - started
        yield result
        transaction.set_rollback(True)
    plans._cache.clear()
    cache.clear()


def test_everything_was_read_and_english_is_english(reading):
    users = _roles_first_users()
    assert len(users) == 7
    assert reading.count("page") >= 14 * 30, reading.count("page")
    assert reading.count("portal") >= 2 * 20
    assert reading.count("message") >= 50
    assert reading.count("pdf") >= 8
    assert not [status for status in reading.statuses if status >= 500], reading.statuses
    # Every page of the URL configuration a person reads was reached by following links.
    unread = set(PAGES) - UNREAD - reading.routes
    assert not unread, unread
    # The switch worked: each user's English home page has the English navigation.
    for username in users:
        nav = lh.visible_text(reading.english_nav[username])
        assert "Expedite cases" in nav and "Board" in nav and "看板" not in nav, (
            username,
            nav[:300],
        )


def _quotes_what_was_sent(where: str) -> bool:
    """The outbox page and the evidence file list what was sent to clients, as sent."""
    return where.startswith(("outbox_page ", "evidence "))


def test_every_page_message_and_pdf_reads_in_its_language(reading):
    english = lh.English(PO)
    assert english.count > 500
    # One line per wrong text (numbers aside), at the first place it was read.
    failures: dict[str, list[str]] = defaultdict(list)
    for _kind, where, lang, text in reading.items:
        # What was sent first: a name inside a quoted line must not split the line.
        if _quotes_what_was_sent(where):
            text = reading.quoted.remove(text)
        text = reading.entered.remove(text)
        if lang == "en":
            found = lh.han_passages(text)
        else:
            found = [f"“{phrase}”" for phrase in english.found(text)]
        for snippet in dict.fromkeys(found):
            failures[snippet].append(f"{where}/{lang}")
    for where, lang, text in reading.dev_items:
        if lang != "en":
            for word in dict.fromkeys(lh.developer_words(reading.entered.remove(text))):
                failures[f"developer word {word}"].append(f"{where}/{lang}")
    grouped: dict[str, list[str]] = defaultdict(list)
    for snippet, places in failures.items():
        grouped[re.sub(r"\d+", "0", snippet)].extend(places)
    lines = sorted(
        f"{places[0]}: {snippet[:120]}" + (f"  (+{len(places) - 1})" if len(places) > 1 else "")
        for snippet, places in grouped.items()
    )
    print("\n".join(lines))  # all of them, in the captured output
    assert not lines, f"{len(lines)} texts in the wrong language:\n" + "\n".join(lines[:SHOWN])
