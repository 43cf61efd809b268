"""The English catalog is complete and its compiled .mo matches the .po."""

import ast
import gettext
from pathlib import Path

import expedite

LOCALE = Path(expedite.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def _po_entries(path: Path) -> list[tuple[str | None, str, list[str], bool]]:
    """(msgctxt, msgid, msgstrs, fuzzy) for each entry of a .po file, header excluded."""
    entries, current, field, fuzzy = [], {}, None, False

    def flush():
        nonlocal current, fuzzy
        if current.get("msgid"):
            strs = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries.append((current.get("msgctxt"), current["msgid"], strs, fuzzy))
        current, fuzzy = {}, False

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            flush()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            current[field] = ast.literal_eval(value)
    return entries


def test_every_string_has_an_english_translation():
    entries = _po_entries(LOCALE / "django.po")
    assert len(entries) > 100
    missing = [msgid for _ctx, msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert missing == []


def test_the_compiled_catalog_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for ctx, msgid, strs, _fuzzy in _po_entries(LOCALE / "django.po"):
        if "msgid_plural" in msgid:
            continue
        got = compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)
        if len(strs) == 1 and got != strs[0]:
            stale.append(msgid)
    assert stale == [], "run `make messages` to recompile the catalog"


def test_every_marked_message_of_the_code_is_in_the_catalog():
    """Messages marked for translation in Python are in the catalog (`make messages`)."""
    catalog = {msgid for _ctx, msgid, _strs, _fuzzy in _po_entries(LOCALE / "django.po")}
    markers = {"gettext_noop", "gettext", "_", "gettext_lazy"}
    missing = []
    for path in Path(expedite.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in markers
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value not in catalog
            ):
                missing.append(f"{path.name}: {node.args[0].value}")
    assert missing == []
