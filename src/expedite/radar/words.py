"""The obligations' own words (their names, consequences and bases) in the reader's language."""

from __future__ import annotations

from django.utils.translation import get_language

from expedite.catalog import load_obligations


def obligation_text(text: str) -> str:
    """`text` from obligations.yaml in the active language (its `english` section)."""
    if (get_language() or "").startswith("en"):
        return load_obligations().english.get(text, text)
    return text
