"""Words at the edge: the core's phrases and the catalog's text in the reader's language.

`say(stored)` renders a stored phrase (`domain.phrases`) in the active language; `term(text)`
gives catalog text (a step, a track, a lever's reason) in it. Chinese is the source language:
in Chinese both return what they are given. The catalog's English comes from its `english`
section; the glossary is read once per process and read again only when a text is not in it
(a newer catalog version was loaded), so a page costs no query for its words.
"""

from __future__ import annotations

import threading
from typing import Any

from django.utils.translation import get_language, gettext

from expedite.catalog import load_wage_english
from expedite.domain.phrases import render, render_value

from .models import CatalogVersion

_lock = threading.Lock()
_glossary: dict[str, str] = {}
_loaded: set[int | None] = set()
_missing: set[str] = set()  # texts no loaded version translates, until another is loaded


def english() -> bool:
    return (get_language() or "zh-hans").lower().startswith("en")


def _load(pk: int | None) -> None:
    # Plans render their summaries with these words: importing them at the top is a cycle.
    from .plans import _version, current_catalog

    catalog = _version(pk) if pk is not None else current_catalog()
    # The wage table's cities and sources are shown next to catalog text (materials).
    extra = load_wage_english() if pk is None else {}
    with _lock:
        _glossary.update(extra)
        _glossary.update(catalog.english)
        _loaded.add(pk)
        _missing.clear()


def forget() -> None:
    """A catalog version was loaded in this process: read the glossary again when asked."""
    with _lock:
        _glossary.clear()
        _loaded.clear()
        _missing.clear()


def in_english(text: str) -> str:
    """Catalog text in English, or the text itself when the catalog has no translation."""
    if not text:
        return text
    found = _glossary.get(text)
    if found is not None or text in _missing:
        return found or text
    if None not in _loaded:
        _load(None)  # the default catalog's, then every stored version, newest last
    for pk in CatalogVersion.objects.order_by("pk").values_list("pk", flat=True):
        if pk not in _loaded:
            _load(pk)
    found = _glossary.get(text)
    if found is None:
        _missing.add(text)
    return found or text


def term(text: str) -> str:
    """Catalog text in the reader's language."""
    return in_english(text) if english() and text else text


def list_sep() -> str:
    return gettext("、")


def say(stored: Any) -> str:
    """A stored phrase (or the plain text stored before phrases) in the reader's language."""
    if not english():
        return render(stored)
    return render(stored, translate=gettext, term=in_english, sep=list_sep())


# Keys whose values are catalog text in a plan's JSON form (`plans.option_to_dict`).
CATALOG_KEYS = frozenset({"name", "track", "skill", "milestone", "reason"})


def catalog_labels(data: Any) -> Any:
    """A plan's JSON form with its catalog text in the reader's language; codes unchanged."""
    if not english():
        return data
    if isinstance(data, dict):
        return {
            k: term(v) if k in CATALOG_KEYS and isinstance(v, str) else catalog_labels(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [catalog_labels(v) for v in data]
    return data


def say_value(stored: Any) -> Any:
    """One stored phrase parameter (a phrase, term, message or list) in the reader's language."""
    if not english():
        return render_value(stored)
    return render_value(stored, translate=gettext, term=in_english, sep=list_sep())
