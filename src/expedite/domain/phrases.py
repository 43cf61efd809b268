"""Sentences as data: what the core decides is said with a code and parameters, not in words.

A `Phrase` names a message (`code`, registered with its Chinese template) and its parameters.
Parameters are plain values (numbers, ISO dates, text people entered), `Term`s (text from the
service catalog, which has its own translations), `Msg`s (a fixed message of the product) and
lists of these (`Items`), or other phrases. What is stored is `as_json()`; every page, e-mail,
PDF and API renders it in the reader's language with `render`, given the translators.

Templates use `%(name)s` placeholders, like `DomainError`; the Chinese template is the msgid of
the translation catalog, so the product's `gettext` renders them in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import gettext_noop

TEMPLATES: dict[str, str] = {}


def templates(mapping: Mapping[str, str]) -> Mapping[str, str]:
    """Register messages by code (each template marked with `gettext_noop`); codes are unique."""
    for code, template in mapping.items():
        if TEMPLATES.get(code, template) != template:
            raise ValueError(f"phrase code registered twice: {code}")
        TEMPLATES[code] = template
    return mapping


@dataclass(frozen=True, slots=True)
class Term:
    """Text of the service catalog (a step, lever, material, track …): the catalog translates."""

    text: str


@dataclass(frozen=True, slots=True)
class Msg:
    """A fixed message of the product (its Chinese msgid), translated like any other."""

    text: str


@dataclass(frozen=True, slots=True)
class Items:
    """A list, joined with the reader's list separator (“、” in Chinese)."""

    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in TEMPLATES:
            raise KeyError(f"unknown phrase code: {self.code}")

    def as_json(self) -> dict[str, Any]:
        """Code and parameters; `text`, the Chinese, for a reader of a version that no longer
        knows the code."""
        params = {k: _encode(v) for k, v in self.params.items()}
        return {
            "code": self.code,
            "params": params,
            "text": render({"code": self.code, "params": params}),
        }

    @property
    def zh(self) -> str:
        """The phrase in Chinese, the product's source language (the CLI's default, logs)."""
        return render(self.as_json())


class _Lenient(dict):
    """Parameters that say "—" for a placeholder they do not have."""

    def __missing__(self, key: str) -> str:
        return "—"


_SPEC = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdfr]")


def _encode(value: Any) -> Any:
    if isinstance(value, Phrase):
        return {"phrase": value.as_json()}
    if isinstance(value, Term):
        return {"term": value.text}
    if isinstance(value, Msg):
        return {"msg": value.text}
    if isinstance(value, Items):
        return {"items": [_encode(v) for v in value.items]}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # dates and decimals: their ISO / plain form


def _same(text: str) -> str:
    return text


def render(
    stored: Any,
    *,
    translate: Callable[[str], str] = _same,
    term: Callable[[str], str] = _same,
    sep: str = "、",
) -> str:
    """A stored phrase (or a plain string, as decisions were stored before they were phrases)
    in words. `translate` is the reader's gettext, `term` the catalog's translation."""
    if isinstance(stored, str):
        return stored
    if not isinstance(stored, Mapping):
        return "" if stored is None else str(stored)

    def value(v: Any) -> Any:
        return render_value(v, translate=translate, term=term, sep=sep)

    template = TEMPLATES.get(str(stored.get("code", "")))
    if template is None:  # a code this version no longer knows: its Chinese, if kept
        return str(stored.get("text", stored.get("code", "")))
    params = {k: value(v) for k, v in (stored.get("params") or {}).items()}
    translated = translate(template)
    for text in (translated, template):
        try:
            return text % params if "%(" in text else text
        except (KeyError, TypeError, ValueError):
            continue
    # Stored before the template changed its placeholders: what was said, else the template
    # with the parameters it still finds.
    if stored.get("text"):
        return str(stored["text"])
    as_text = _SPEC.sub(r"%(\1)s", template)
    return as_text % _Lenient(params) if "%(" in as_text else as_text


def render_value(
    v: Any,
    *,
    translate: Callable[[str], str] = _same,
    term: Callable[[str], str] = _same,
    sep: str = "、",
) -> Any:
    """One stored parameter in words (a phrase, a term, a message, a list); other values as
    they are."""
    if isinstance(v, Mapping):
        if "phrase" in v:
            return render(v["phrase"], translate=translate, term=term, sep=sep)
        if "term" in v:
            return term(str(v["term"]))
        if "msg" in v:
            return translate(str(v["msg"]))
        if "items" in v:
            return sep.join(
                str(render_value(x, translate=translate, term=term, sep=sep)) for x in v["items"]
            )
    return v


def encode(value: Any) -> Any:
    """A parameter's stored form (see `render_value`)."""
    return _encode(value)


__all__ = [
    "Items",
    "Msg",
    "Phrase",
    "Term",
    "encode",
    "gettext_noop",
    "render",
    "render_value",
    "templates",
]
