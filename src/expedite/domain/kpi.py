"""The firm's KPIs, as monthly figures computed from plain records (docs/kpi.md).

The seed's firm claims its expedited work takes 60% of the industry's time, with 99.8% of
deliveries free of errors, 98% of clients satisfied and 85% buying again. Each claim becomes
a formula here with its numerator, its denominator and the month a record belongs to; the
Django side only gathers the records. No Django, no clock: `now` is passed in.

Months are the first day of the month in the firm's time zone; a period is every month from
its first to its last, both included.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from .feedback import SATISFIED_AVERAGE

# The firm's claims (seed, 总结与前瞻), drawn as reference lines.
TARGET_INDUSTRY_RATIO = 0.60  # expedited duration ÷ industry reference; lower is better
TARGET_ZERO_ERROR = 0.998
TARGET_SATISFACTION = 0.98
TARGET_REPEAT = 0.85
REPEAT_WINDOW_MONTHS = 12


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first`'s to `last`'s, both included; empty when last < first."""
    out, month, end = [], month_of(first), month_of(last)
    while month <= end:
        out.append(month)
        month = add_months(month, 1)
    return out


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveredCase:
    """A case at its first delivery. It belongs to the month of `delivered_on`.

    `workdays` is the firm's clock from intake to delivery in working days (time waiting on the
    client excluded); `industry_workdays` is None for a service without a reference figure.
    `errors_after` counts errors found after delivery, whenever found; `caught_in_review` the
    errors the supervisor's review caught before it.
    """

    case_id: int
    client_id: int
    service: str
    delivered_on: dt.date
    deadline: dt.date
    workdays: float
    standard_workdays: float
    industry_workdays: float | None = None
    errors_after: int = 0
    caught_in_review: int = 0


@dataclass(frozen=True, slots=True)
class SlaRecord:
    """A pre-review round or an incident: started on `started_on`, due at `due`, answered at
    `done` (None while open). It belongs to the month it started."""

    started_on: dt.date
    due: dt.datetime
    done: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Rating:
    """One satisfaction survey: the average of its three scores, in the month it was given."""

    given_on: dt.date
    average: float


@dataclass(frozen=True, slots=True)
class Purchase:
    """`count` cases the client bought (accepted a quote for), dated by their intake."""

    client_id: int
    opened_on: dt.date
    count: int = 1


# -- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """numerator ÷ denominator; None when nothing was counted (not zero: no data)."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True, slots=True)
class Durations:
    """Sums of working days over delivered cases. The industry sums cover only cases whose
    service has a reference figure, so both sides of that ratio count the same cases."""

    cases: int
    taken: float
    standard: float
    reference_cases: int
    taken_with_reference: float
    industry: float

    @property
    def vs_standard(self) -> float | None:
        return self.taken / self.standard if self.standard else None

    @property
    def vs_industry(self) -> float | None:
        return self.taken_with_reference / self.industry if self.industry else None

    @property
    def mean_taken(self) -> float | None:
        return self.taken / self.cases if self.cases else None


@dataclass(frozen=True, slots=True)
class Satisfaction:
    satisfied: Rate
    mean: float | None  # mean of the surveys' averages, 1..5


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: dt.date
    durations: Durations
    on_time: Rate
    zero_error: Rate
    caught_in_review: int
    prereview_sla: Rate
    incident_sla: Rate
    satisfaction: Satisfaction
    repeat: Rate


def durations(cases: Iterable[DeliveredCase]) -> Durations:
    cases = list(cases)
    referenced = [c for c in cases if c.industry_workdays]
    return Durations(
        cases=len(cases),
        taken=sum(c.workdays for c in cases),
        standard=sum(c.standard_workdays for c in cases),
        reference_cases=len(referenced),
        taken_with_reference=sum(c.workdays for c in referenced),
        industry=sum(c.industry_workdays or 0 for c in referenced),
    )


def on_time(cases: Iterable[DeliveredCase]) -> Rate:
    """Delivered on or before the client's deadline (the firm's local date)."""
    cases = list(cases)
    return Rate(sum(1 for c in cases if c.delivered_on <= c.deadline), len(cases))


def zero_error(cases: Iterable[DeliveredCase]) -> Rate:
    """Delivered cases with no error found after delivery."""
    cases = list(cases)
    return Rate(sum(1 for c in cases if c.errors_after == 0), len(cases))


def sla_compliance(records: Iterable[SlaRecord], *, now: dt.datetime) -> Rate:
    """Answered by the due time. An open one counts as missed once `now` is past its due
    time and is left out while it may still be met."""
    met = counted = 0
    for r in records:
        if r.done is not None:
            counted += 1
            met += r.done <= r.due
        elif now > r.due:
            counted += 1
    return Rate(met, counted)


def satisfaction(ratings: Iterable[Rating]) -> Satisfaction:
    ratings = list(ratings)
    happy = sum(1 for r in ratings if r.average >= SATISFIED_AVERAGE)
    mean = sum(r.average for r in ratings) / len(ratings) if ratings else None
    return Satisfaction(Rate(happy, len(ratings)), mean)


def repeat_purchase(purchases: Iterable[Purchase], *, month: dt.date) -> Rate:
    """Of the clients who bought in the 12 months ending with `month`, those who bought at
    least twice in those months."""
    first = add_months(month, -(REPEAT_WINDOW_MONTHS - 1))
    end = add_months(month, 1)
    count: dict[int, int] = defaultdict(int)
    for p in purchases:
        if first <= p.opened_on < end:
            count[p.client_id] += p.count
    return Rate(sum(1 for n in count.values() if n >= 2), len(count))


def monthly(
    *,
    months: list[dt.date],
    delivered: Iterable[DeliveredCase],
    prereviews: Iterable[SlaRecord],
    incidents: Iterable[SlaRecord],
    ratings: Iterable[Rating],
    purchases: Iterable[Purchase],
    now: dt.datetime,
) -> list[MonthFigures]:
    by_month: dict[str, dict[dt.date, list]] = {
        k: defaultdict(list) for k in ("delivered", "prereviews", "incidents", "ratings")
    }
    for key, records, day in (
        ("delivered", delivered, lambda r: r.delivered_on),
        ("prereviews", prereviews, lambda r: r.started_on),
        ("incidents", incidents, lambda r: r.started_on),
        ("ratings", ratings, lambda r: r.given_on),
    ):
        for r in records:
            by_month[key][month_of(day(r))].append(r)
    purchases = list(purchases)
    out = []
    for month in months:
        cases = by_month["delivered"][month]
        out.append(
            MonthFigures(
                month=month,
                durations=durations(cases),
                on_time=on_time(cases),
                zero_error=zero_error(cases),
                caught_in_review=sum(c.caught_in_review for c in cases),
                prereview_sla=sla_compliance(by_month["prereviews"][month], now=now),
                incident_sla=sla_compliance(by_month["incidents"][month], now=now),
                satisfaction=satisfaction(by_month["ratings"][month]),
                repeat=repeat_purchase(purchases, month=month),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class ServiceDurations:
    service: str
    durations: Durations

    @property
    def mean_standard(self) -> float | None:
        d = self.durations
        return d.standard / d.cases if d.cases else None

    @property
    def mean_industry(self) -> float | None:
        d = self.durations
        return d.industry / d.reference_cases if d.reference_cases else None


def by_service(cases: Iterable[DeliveredCase]) -> list[ServiceDurations]:
    """The period's durations per service, in service-code order."""
    groups: dict[str, list[DeliveredCase]] = defaultdict(list)
    for c in cases:
        groups[c.service].append(c)
    return [
        ServiceDurations(service=code, durations=durations(group))
        for code, group in sorted(groups.items())
    ]


# -- a month kept as figures ------------------------------------------------------------------


def _added(a: Rate, b: Rate) -> Rate:
    return Rate(a.numerator + b.numerator, a.denominator + b.denominator)


def _durations_added(a: Durations, b: Durations) -> Durations:
    return Durations(
        cases=a.cases + b.cases,
        taken=a.taken + b.taken,
        standard=a.standard + b.standard,
        reference_cases=a.reference_cases + b.reference_cases,
        taken_with_reference=a.taken_with_reference + b.taken_with_reference,
        industry=a.industry + b.industry,
    )


NO_DURATIONS = Durations(0, 0.0, 0.0, 0, 0.0, 0.0)


def combined(figures: list[MonthFigures]) -> MonthFigures:
    """A period's figures from its months' (in month order): every count and sum adds up;
    repeat purchase, a window ending with a month, is the last month's."""
    if not figures:
        raise ValueError("a period has at least one month")
    rated = [f.satisfaction for f in figures]
    surveys = sum(s.satisfied.denominator for s in rated)
    total = sum((s.mean or 0.0) * s.satisfied.denominator for s in rated)
    return MonthFigures(
        month=figures[0].month,
        durations=reduce(_durations_added, (f.durations for f in figures)),
        on_time=reduce(_added, (f.on_time for f in figures)),
        zero_error=reduce(_added, (f.zero_error for f in figures)),
        caught_in_review=sum(f.caught_in_review for f in figures),
        prereview_sla=reduce(_added, (f.prereview_sla for f in figures)),
        incident_sla=reduce(_added, (f.incident_sla for f in figures)),
        satisfaction=Satisfaction(
            reduce(_added, (s.satisfied for s in rated)), total / surveys if surveys else None
        ),
        repeat=figures[-1].repeat,
    )


def services_combined(groups: Iterable[list[ServiceDurations]]) -> list[ServiceDurations]:
    """Per-service durations of several months added up, in service-code order."""
    total: dict[str, Durations] = {}
    for group in groups:
        for s in group:
            total[s.service] = _durations_added(total.get(s.service, NO_DURATIONS), s.durations)
    return [ServiceDurations(code, d) for code, d in sorted(total.items())]


def _rate(raw: list) -> Rate:
    return Rate(int(raw[0]), int(raw[1]))


def figures_as_json(figures: MonthFigures, services: list[ServiceDurations]) -> dict:
    """A month's figures and its per-service durations as plain JSON, to keep."""

    def rate(r: Rate) -> list[int]:
        return [r.numerator, r.denominator]

    def durations_json(d: Durations) -> list:
        return [d.cases, d.taken, d.standard, d.reference_cases, d.taken_with_reference, d.industry]

    return {
        "month": figures.month.isoformat(),
        "durations": durations_json(figures.durations),
        "on_time": rate(figures.on_time),
        "zero_error": rate(figures.zero_error),
        "caught_in_review": figures.caught_in_review,
        "prereview_sla": rate(figures.prereview_sla),
        "incident_sla": rate(figures.incident_sla),
        "satisfied": rate(figures.satisfaction.satisfied),
        "satisfaction_mean": figures.satisfaction.mean,
        "repeat": rate(figures.repeat),
        "services": {s.service: durations_json(s.durations) for s in services},
    }


def figures_from_json(raw: dict) -> tuple[MonthFigures, list[ServiceDurations]]:
    """What `figures_as_json` kept; ValueError (or KeyError, TypeError) if it is not that."""

    def durations_of(d: list) -> Durations:
        cases, taken, standard, reference_cases, with_reference, industry = d
        return Durations(
            int(cases),
            float(taken),
            float(standard),
            int(reference_cases),
            float(with_reference),
            float(industry),
        )

    mean = raw["satisfaction_mean"]
    figures = MonthFigures(
        month=dt.date.fromisoformat(raw["month"]),
        durations=durations_of(raw["durations"]),
        on_time=_rate(raw["on_time"]),
        zero_error=_rate(raw["zero_error"]),
        caught_in_review=int(raw["caught_in_review"]),
        prereview_sla=_rate(raw["prereview_sla"]),
        incident_sla=_rate(raw["incident_sla"]),
        satisfaction=Satisfaction(_rate(raw["satisfied"]), None if mean is None else float(mean)),
        repeat=_rate(raw["repeat"]),
    )
    services = [
        ServiceDurations(code, durations_of(d)) for code, d in sorted(raw["services"].items())
    ]
    return figures, services
