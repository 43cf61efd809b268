"""Durations as the catalog states them: working days and/or working hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import gettext_noop
from .phrases import Phrase, templates

templates(
    {
        "duration.workdays": gettext_noop("%(n)s 个工作日"),
        "duration.hours": gettext_noop("%(n)s 小时"),
        "duration.both": gettext_noop("%(workdays)s %(hours)s"),
        "duration.zero": gettext_noop("0"),
    }
)


@dataclass(frozen=True, slots=True)
class Duration:
    workdays: float = 0
    hours: float = 0

    def to_timedelta(self, day_length: dt.timedelta) -> dt.timedelta:
        return day_length * self.workdays + dt.timedelta(hours=self.hours)

    def phrase(self) -> Phrase:
        """The duration in words, rendered in the reader's language at the edge."""
        days = Phrase("duration.workdays", {"n": f"{self.workdays:g}"})
        hours = Phrase("duration.hours", {"n": f"{self.hours:g}"})
        if self.workdays and self.hours:
            return Phrase("duration.both", {"workdays": days, "hours": hours})
        if self.workdays:
            return days
        return hours if self.hours else Phrase("duration.zero")

    def describe(self) -> str:
        """In Chinese, the source language (“2 个工作日 4 小时”)."""
        return self.phrase().zh

    def is_positive(self) -> bool:
        return self.workdays > 0 or self.hours > 0
