"""The client's satisfaction survey: three scores from 1 to 5 and the rules read from them."""

from __future__ import annotations

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
