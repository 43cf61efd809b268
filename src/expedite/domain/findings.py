"""What an automatic check reports, and the parsing of entered values the checks share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .phrases import Items, Msg, Phrase, Term, encode, render_value

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str  # template with %(name)s placeholders, Chinese; translated at the edge
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = ERROR
    field: str = ""
    refuse: bool = False  # the file is not stored at all

    @property
    def text(self) -> str:
        """In Chinese, the source language (the edge renders `as_json` in the reader's)."""
        params = {k: render_value(_stored(v)) for k, v in self.params.items()}
        return self.message % params if params else self.message

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "params": {k: _stored(v) for k, v in self.params.items()},
            "text": self.text,
        }


def _stored(value: Any) -> Any:
    """A parameter as stored: phrases, terms and lists in their stored form (rendered in the
    reader's language), anything else as text."""
    if isinstance(value, Phrase | Items | Term | Msg):
        return encode(value)
    return str(value)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def parse_amount(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None
