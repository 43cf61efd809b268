"""Durations as the catalog states them: working days and/or working hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Duration:
    workdays: float = 0
    hours: float = 0

    def to_timedelta(self, day_length: dt.timedelta) -> dt.timedelta:
        return day_length * self.workdays + dt.timedelta(hours=self.hours)

    def describe(self) -> str:
        parts = []
        if self.workdays:
            parts.append(f"{self.workdays:g} 个工作日")
        if self.hours:
            parts.append(f"{self.hours:g} 小时")
        return " ".join(parts) or "0"

    def is_positive(self) -> bool:
        return self.workdays > 0 or self.hours > 0
