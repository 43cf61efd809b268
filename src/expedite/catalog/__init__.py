"""The default service catalog shipped with Expedite (YAML)."""

from __future__ import annotations

import functools
from importlib import resources

from expedite.domain.catalog import Catalog, parse_catalog
from expedite.domain.obligations import parse_obligations
from expedite.domain.wages import parse_wage_english, parse_wage_minimums

DEFAULT_CATALOG = "services.yaml"


def default_catalog_text() -> str:
    return resources.files(__package__).joinpath(DEFAULT_CATALOG).read_text(encoding="utf-8")


def load_default_catalog() -> Catalog:
    return parse_catalog(default_catalog_text(), source=f"expedite/catalog/{DEFAULT_CATALOG}")


WAGE_MINIMUMS = "wage_minimums.yaml"


def _wage_text() -> str:
    return resources.files(__package__).joinpath(WAGE_MINIMUMS).read_text(encoding="utf-8")


def load_wage_minimums():
    """The social-insurance wage-base lower limits per city and period (see the file's notes)."""
    return parse_wage_minimums(_wage_text(), source=f"expedite/catalog/{WAGE_MINIMUMS}")


def load_wage_english() -> dict[str, str]:
    """The wage table's cities and sources in English (its `english` section)."""
    return parse_wage_english(_wage_text(), source=f"expedite/catalog/{WAGE_MINIMUMS}")


OBLIGATIONS = "obligations.yaml"


@functools.cache
def load_obligations():
    """The deadlines the demand radar looks ahead to (docs/radar.md); parsed once."""
    text = resources.files(__package__).joinpath(OBLIGATIONS).read_text(encoding="utf-8")
    return parse_obligations(text, source=f"expedite/catalog/{OBLIGATIONS}")
