"""The client's satisfaction survey: three scores from 1 to 5 and the rules read from them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ValidationFailed, gettext_noop

SCORE_MIN = 1
SCORE_MAX = 5
# A score at or below this is "low": it opens a follow-up for the manager and makes a
# retrospective mandatory before the case may be closed.
LOW_SCORE = 2
# The KPI counts a client as satisfied when the average of the three scores reaches this.
SATISFIED_AVERAGE = 4.0
FIELDS = ("timeliness", "communication", "result")


@dataclass(frozen=True)
class Scores:
    timeliness: int
    communication: int
    result: int

    @property
    def values(self) -> tuple[int, int, int]:
        return (self.timeliness, self.communication, self.result)

    @property
    def average(self) -> float:
        return round(sum(self.values) / 3, 2)

    @property
    def is_low(self) -> bool:
        return min(self.values) <= LOW_SCORE

    @property
    def satisfied(self) -> bool:
        return self.average >= SATISFIED_AVERAGE

    @property
    def low_fields(self) -> tuple[str, ...]:
        return tuple(f for f, v in zip(FIELDS, self.values, strict=True) if v <= LOW_SCORE)


def parse_scores(raw: dict) -> Scores:
    """Scores from form input; each must be a whole number from 1 to 5."""
    values = []
    for field in FIELDS:
        value = raw.get(field)
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            number = None
        if number is None or not SCORE_MIN <= number <= SCORE_MAX:
            raise ValidationFailed(gettext_noop("请选择 1 到 5 分。"), field=field)
        values.append(number)
    return Scores(*values)


_TIME = re.compile(r"(上午|下午|晚上)?\s*(\d{1,2})\s*(?:[:：点时])\s*(\d{2}|半)?")


def suggested_report_time(comment: str) -> str | None:
    """The daily report time a comment asks for ("日报能不能改到下午4点" → "16:00"), or None.

    Only a comment that mentions the daily report (日报) counts. A comment may name the time it
    has now as well as the one it wants: a time right after 改到/改为/提前到… wins, else the
    last one named within office hours.
    """
    if "日报" not in comment:
        return None
    found: list[tuple[bool, str]] = []
    for match in _TIME.finditer(comment):
        half, hour, minute = match.group(1), int(match.group(2)), match.group(3)
        if half in ("下午", "晚上") and hour < 12:
            hour += 12
        minutes = 30 if minute == "半" else int(minute or 0)
        if 8 <= hour <= 20 and minutes < 60:
            asked = bool(_ASK.search(comment[max(0, match.start() - 4) : match.start()]))
            found.append((asked, f"{hour:02d}:{minutes:02d}"))
    asked = [t for a, t in found if a]
    return (asked or [t for _a, t in found] or [None])[-1]


_ASK = re.compile(r"(改到|改为|改成|提前到|调到|调整到|换到|定在|希望)\s*$")
