"""Parse user input for calendar questions (CLI and API share these and their messages)."""

from __future__ import annotations

import datetime as dt

from expedite.domain.errors import ValidationFailed

MAX_WORKDAYS = 20_000  # about 80 years of working days; beyond that a count is a typo


def parse_date(raw: str, *, field: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed(f"“{raw}”不是有效日期（格式 YYYY-MM-DD）。", field=field) from None


def parse_count(raw, *, field: str = "n") -> int:
    try:
        n = int(str(raw).strip())
    except ValueError:
        raise ValidationFailed(f"“{raw}”不是整数。", field=field) from None
    if abs(n) > MAX_WORKDAYS:
        raise ValidationFailed(f"工作日数 {n} 过大（绝对值不超过 {MAX_WORKDAYS}）。", field=field)
    return n
