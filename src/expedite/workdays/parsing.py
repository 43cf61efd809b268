"""Parse user input for calendar questions (CLI and API share these and their messages)."""

from __future__ import annotations

import datetime as dt

from expedite.domain.errors import ValidationFailed, gettext_noop

MAX_WORKDAYS = 20_000  # about 80 years of working days; beyond that a count is a typo


def parse_date(raw: str, *, field: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed(
            gettext_noop("“%(value)s”不是有效日期（格式 YYYY-MM-DD）。"),
            field=field,
            params={"value": raw},
        ) from None


def parse_count(raw, *, field: str = "n") -> int:
    try:
        n = int(str(raw).strip())
    except ValueError:
        raise ValidationFailed(
            gettext_noop("“%(value)s”不是整数。"), field=field, params={"value": raw}
        ) from None
    if abs(n) > MAX_WORKDAYS:
        raise ValidationFailed(
            gettext_noop("工作日数 %(n)d 过大（绝对值不超过 %(max)d）。"),
            field=field,
            params={"n": n, "max": MAX_WORKDAYS},
        )
    return n
