"""A seeded synthetic history of a firm's clients and cases, for the radar's demo and tests.

The generating process is written down in docs/radar.md; its parameters are below, chosen
from the seed account and common sense before any model was fitted, and not tuned to it.

- Clients: tiers standard 70 %, key 22 %, strategic 8 %. Each has a habit of leaving things
  late, π ~ Beta(2, 5) (most start in time, a few rarely do).
- Recurring duties: each client entrusts the firm with each statutory date with its own
  probability (annual report 55 %, 汇算清缴 45 %, quarterly prepayment 30 %, social-insurance
  base 35 %), and holds licences with their own probability and validity (营业执照 with a
  term 10 %, 食品经营许可证 15 % for 5 years, 劳务派遣经营许可证 6 % for 3 years, 高新技术企业
  证书 12 % for 3 years; the first expiry uniform over the history).
- For each occurrence, with L its latest start (the planner's, as the product computes it),
  the client asks X workdays before L, X ~ Normal(15 − 40π, 6); 5 % of occurrences it takes
  elsewhere. Asking after L makes the case expedited; nobody asks later than the due date.
- Other requests: a Poisson number per year with rate Gamma(1.5, 0.8) × (1, 1.4, 2.0) by
  tier, on random workdays, for a service drawn from the catalog, with the time to its
  deadline = standard workdays × LogNormal(0.4 − 1.2π, 0.6); expedited when shorter than the
  standard workdays.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .calendar import WorkCalendar
from .catalog import Catalog
from .obligations import Credential, LatestStarts, Obligations, credential_due, statutory_dues
from .planning import nominal_workdays
from .radar import ClientRecord, History, PastCase

START = dt.date(2023, 1, 1)
END = dt.date(2026, 7, 1)
TIERS = (("standard", 0.70), ("key", 0.22), ("strategic", 0.08))
TIER_RATE = {"standard": 1.0, "key": 1.4, "strategic": 2.0}
STATUTORY_SHARE = {
    "annual-report": 0.55,
    "income-tax-settlement": 0.45,
    "income-tax-prepayment": 0.30,
    "social-insurance-base": 0.35,
}
# (kind, title, share of clients holding one, validity in years)
LICENCES = (
    ("business_licence", "营业执照", 0.10, 20),
    ("permit", "食品经营许可证", 0.15, 5),
    ("permit", "劳务派遣经营许可证", 0.06, 3),
    ("certificate", "高新技术企业证书", 0.12, 3),
)
ELSEWHERE = 0.05


def synthetic_history(
    catalog: Catalog,
    obligations: Obligations,
    calendar: WorkCalendar,
    *,
    seed: int = 1,
    clients: int = 400,
    start: dt.date = START,
    end: dt.date = END,
) -> History:
    """The history of `clients` clients from `start` to `end` (exclusive), from `seed`."""
    rng = np.random.default_rng(seed)
    starts = LatestStarts(catalog, calendar)
    day = calendar.hours.day_length
    services = list(catalog.services)
    standard = {s.code: max(1, nominal_workdays(s, day)) for s in services}
    category = {s.code: str(s.category) for s in services}
    workdays = calendar.workdays_in(start, end - dt.timedelta(days=1))
    span_years = (end - start).days / 365.0
    records: list[ClientRecord] = []
    cases: list[PastCase] = []

    def ask(client: int, service: str, due: dt.date, late_habit: float) -> None:
        latest = starts(service, due)
        if latest is None or rng.random() < ELSEWHERE:
            return
        x = round(rng.normal(15 - 40 * late_habit, 6))
        asked = calendar.add_workdays(latest, -x)
        last_day = calendar.previous_workday(due)
        asked = min(asked, last_day)
        if start <= asked < end:
            cases.append(
                PastCase(client, service, category.get(service, ""), asked, due, asked > latest)
            )

    for client in range(1, clients + 1):
        tier = str(rng.choice([t for t, _ in TIERS], p=[p for _, p in TIERS]))
        habit = float(rng.beta(2, 5))
        held: list[Credential] = []
        for entry in obligations.statutory:
            if rng.random() >= STATUTORY_SHARE.get(entry.code, 0.3):
                continue
            for due in statutory_dues(entry, start, end + dt.timedelta(days=200), calendar):
                ask(client, entry.service, due, habit)
        for kind, title, share, years in LICENCES:
            if rng.random() >= share:
                continue
            first = start + dt.timedelta(days=int(rng.integers(30, (end - start).days + 540)))
            expiry = first
            rule = next(r for r in obligations.credentials if r.matches(kind, title))
            while expiry - dt.timedelta(days=365 * years) <= end + dt.timedelta(days=400):
                held.append(Credential(kind, title, expiry))
                ask(client, rule.service, credential_due(rule, expiry, calendar), habit)
                expiry = _years_later(expiry, years)
        rate = float(rng.gamma(1.5, 0.8)) * TIER_RATE[tier]
        for _ in range(int(rng.poisson(rate * span_years))):
            asked = workdays[int(rng.integers(0, len(workdays)))]
            service = services[int(rng.integers(0, len(services)))].code
            lead = max(1, round(standard[service] * rng.lognormal(0.4 - 1.2 * habit, 0.6)))
            deadline = calendar.add_workdays(asked, lead)
            cases.append(
                PastCase(
                    client, service, category[service], asked, deadline, lead < standard[service]
                )
            )
        records.append(ClientRecord(client=client, tier=tier, credentials=tuple(held)))
    cases.sort(key=lambda c: (c.requested, c.client))
    return History(clients=tuple(records), cases=tuple(cases), start=start, end=end)


def _years_later(d: dt.date, years: int) -> dt.date:
    # 29 February of a leap year is followed by 28 February.
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return dt.date(d.year + years, 2, 28)
