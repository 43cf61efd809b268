"""Known deadlines: what a client must meet next, and the latest day to start it on the
standard path.

Two sources (the file `catalog/obligations.yaml`): statutory dates (the annual report by
30 June, 汇算清缴 by 31 May, quarterly prepayments, the social-insurance base) and the
licences and certificates a client holds, each due some time before it expires. The latest
start comes from the planner: the last workday on which the service's standard plan (no
levers) still finishes by the due date. Starting later makes the matter urgent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import yamltext
from .calendar import SHANGHAI, WorkCalendar
from .catalog import Catalog
from .errors import CatalogError, DomainError
from .planning import nominal_workdays, plan

HOLDS_FOR = 730  # days: a client is subject to a statutory date when served within two years


@dataclass(frozen=True, slots=True)
class Consequence:
    weight: int  # 1 = an inconvenience … 5 = the company cannot operate
    text: str


@dataclass(frozen=True, slots=True)
class StatutoryDate:
    code: str
    name: str
    service: str
    basis: str
    consequence: Consequence
    annual: tuple[int, int] | None = None  # (month, day)
    quarterly: int | None = None  # day of the month after each quarter
    roll_forward: bool = False
    announced: Mapping[dt.date, dt.date] | None = None


@dataclass(frozen=True, slots=True)
class CredentialRule:
    code: str
    name: str
    kinds: tuple[str, ...]
    words: tuple[str, ...]
    service: str
    basis: str
    consequence: Consequence
    before_days: int = 0
    before_workdays: int = 0
    batches: tuple[tuple[int, int], ...] = ()

    def matches(self, kind: str, title: str) -> bool:
        return kind in self.kinds and (not self.words or any(w in title for w in self.words))


@dataclass(frozen=True, slots=True)
class Obligations:
    statutory: tuple[StatutoryDate, ...]
    credentials: tuple[CredentialRule, ...]
    # The file's own text in English (Chinese → English): names, consequences, bases.
    english: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def named(self, code: str) -> StatutoryDate | CredentialRule | None:
        for entry in (*self.statutory, *self.credentials):
            if entry.code == code:
                return entry
        return None


@dataclass(frozen=True, slots=True)
class Credential:
    """A licence the client holds, as the radar needs it."""

    kind: str
    title: str
    expires_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Upcoming:
    """One obligation of one client: when it is due and the latest day to start it."""

    code: str  # the obligation's code, or "case" for an open case
    name: str
    service: str
    due: dt.date
    latest_start: dt.date | None  # None: no standard path (the service is not in the catalog)
    weight: int
    consequence: str
    basis: str
    source: str = ""  # the credential's title, or the open case's reference

    @property
    def key(self) -> str:
        return f"{self.code}:{self.due.isoformat()}"


# -- parsing ----------------------------------------------------------------------------------


def _month_day(text: Any, where: str) -> tuple[int, int]:
    try:
        month, day = (int(p) for p in str(text).split("-"))
        dt.date(2024, month, day)  # a leap year: 02-29 is a real day
    except (ValueError, TypeError):
        raise CatalogError(f"{where}: 日期应写作 MM-DD，而不是 {text!r}。") from None
    return month, day


def _consequence(entry: dict, where: str) -> Consequence:
    raw = entry.get("consequence") or {}
    weight = raw.get("weight") if isinstance(raw, dict) else None
    if not isinstance(weight, int) or not 1 <= weight <= 5:
        raise CatalogError(f"{where}: consequence.weight 应为 1 至 5 的整数。")
    return Consequence(weight=weight, text=str(raw.get("text") or ""))


def _required(entry: dict, key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: 缺少 {key}。")
    return value.strip()


def _statutory(entry: dict, where: str) -> StatutoryDate:
    due = entry.get("due") or {}
    annual = quarterly = None
    if "annual" in due:
        annual = _month_day(due["annual"], where)
    elif isinstance(due.get("quarterly"), int) and 1 <= due["quarterly"] <= 28:
        quarterly = due["quarterly"]
    else:
        raise CatalogError(f"{where}: due 应为 {{annual: MM-DD}} 或 {{quarterly: 1–28}}。")
    announced = {}
    for computed, published in (entry.get("announced") or {}).items():
        try:
            announced[dt.date.fromisoformat(str(computed))] = dt.date.fromisoformat(str(published))
        except ValueError:
            raise CatalogError(f"{where}: announced 的日期应写作 YYYY-MM-DD。") from None
    return StatutoryDate(
        code=_required(entry, "code", where),
        name=_required(entry, "name", where),
        service=_required(entry, "service", where),
        basis=_required(entry, "basis", where),
        consequence=_consequence(entry, where),
        annual=annual,
        quarterly=quarterly,
        roll_forward=bool(entry.get("roll_forward")),
        announced=announced or None,
    )


def _credential(entry: dict, where: str) -> CredentialRule:
    before = entry.get("before") or {}
    batches = tuple(_month_day(b, where) for b in entry.get("batches") or ())
    if not batches and not before:
        raise CatalogError(f"{where}: 须写明 before（到期前多久）或 batches（批次截止日）。")
    return CredentialRule(
        code=_required(entry, "code", where),
        name=_required(entry, "name", where),
        kinds=tuple(str(k) for k in entry.get("kinds") or ()),
        words=tuple(str(w) for w in entry.get("words") or ()),
        service=_required(entry, "service", where),
        basis=_required(entry, "basis", where),
        consequence=_consequence(entry, where),
        before_days=int(before.get("days", 0)),
        before_workdays=int(before.get("workdays", 0)),
        batches=tuple(sorted(batches)),
    )


def parse_obligations(text: str, *, source: str = "<obligations>") -> Obligations:
    """Parse `obligations.yaml`; raise `CatalogError` naming the source and the entry."""
    doc = yamltext.load(text) or {}
    if not isinstance(doc, dict):
        raise CatalogError(f"{source}: 顶层应为包含 statutory 与 credentials 的映射。")
    statutory = tuple(
        _statutory(e, f"{source}: statutory[{i}]") for i, e in enumerate(doc.get("statutory") or ())
    )
    credentials = tuple(
        _credential(e, f"{source}: credentials[{i}]")
        for i, e in enumerate(doc.get("credentials") or ())
    )
    codes = [e.code for e in (*statutory, *credentials)]
    if len(codes) != len(set(codes)):
        raise CatalogError(f"{source}: 代码重复。")
    english = doc.get("english") or {}
    if not isinstance(english, dict):
        raise CatalogError(f"{source}: english 应为“中文: English”的映射。")
    return Obligations(
        statutory=statutory,
        credentials=credentials,
        english={str(k): str(v) for k, v in english.items()},
    )


# -- due dates ----------------------------------------------------------------------------------


def _rolled(entry: StatutoryDate, d: dt.date, calendar: WorkCalendar) -> dt.date:
    if entry.announced and d in entry.announced:
        return entry.announced[d]
    if entry.roll_forward and not calendar.is_workday(d):
        return calendar.next_workday(d)
    return d


def _safe_date(year: int, month: int, day: int) -> dt.date:
    # 02-29 in a common year falls on 28 February.
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def statutory_dues(
    entry: StatutoryDate, start: dt.date, end: dt.date, calendar: WorkCalendar
) -> list[dt.date]:
    """The due dates of `entry` on or after `start` and on or before `end`, after rolling."""
    found = []
    for year in range(start.year - 1, end.year + 2):
        if entry.annual:
            raw = [_safe_date(year, *entry.annual)]
        else:
            raw = [dt.date(year, m, entry.quarterly) for m in (1, 4, 7, 10)]
        for d in raw:
            rolled = _rolled(entry, d, calendar)
            if start <= rolled <= end:
                found.append(rolled)
    return sorted(found)


def credential_due(rule: CredentialRule, expires: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day to file the renewal of a credential that expires on `expires`."""
    if rule.batches:
        candidates = [
            _safe_date(y, m, d) for y in (expires.year - 1, expires.year) for m, d in rule.batches
        ]
        return max(c for c in candidates if c <= expires)
    if rule.before_workdays:
        return calendar.add_workdays(expires, -rule.before_workdays)
    return expires - dt.timedelta(days=rule.before_days)


# -- latest start -------------------------------------------------------------------------------


class LatestStarts:
    """The latest start of a service's standard path for a due date, remembered per pair:
    one per catalog and calendar, for as long as a batch of work lasts."""

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        self.catalog = catalog
        self.calendar = calendar
        self._known: dict[tuple[str, dt.date], dt.date | None] = {}

    def __call__(self, service_code: str, due: dt.date) -> dt.date | None:
        key = (service_code, due)
        if key not in self._known:
            self._known[key] = latest_start(self.catalog, service_code, due, self.calendar)
        return self._known[key]


def latest_start(
    catalog: Catalog, service_code: str, due: dt.date, calendar: WorkCalendar
) -> dt.date | None:
    """The last workday on which the standard plan of the service, started when work opens,
    still finishes on or before `due`; None when the catalog has no such service."""
    try:
        service = catalog.get(service_code)
    except KeyError:
        return None
    opening = calendar.hours.windows[0][0]

    def fits(day: dt.date) -> bool:
        start = dt.datetime.combine(day, opening, tzinfo=SHANGHAI)
        return plan(service, start, calendar).finish.astimezone(SHANGHAI).date() <= due

    try:
        return _walk(fits, due, nominal_workdays(service, calendar.hours.day_length), calendar)
    except DomainError:
        # No plan can be dated yet (an application window not yet published).
        return None


def _walk(fits, due: dt.date, work: int, calendar: WorkCalendar) -> dt.date | None:

    # Walk back from the due date to the first day that fits, then forward while the next
    # workday still fits: plans include authorities' calendar time, so the length of the
    # work alone is not the answer.
    day = calendar.add_workdays(due, -max(work - 1, 0)) if work > 1 else due
    day = day if calendar.is_workday(day) and day <= due else calendar.previous_workday(day)
    for _ in range(400):
        if fits(day):
            break
        day = calendar.previous_workday(day)
    else:
        return None
    for _ in range(400):
        following = calendar.next_workday(day)
        if following > due or not fits(following):
            return day
        day = following
    return day


# -- per client ---------------------------------------------------------------------------------


def client_obligations(
    obligations: Obligations,
    starts: LatestStarts,
    *,
    today: dt.date,
    horizon_days: int,
    served: Mapping[str, dt.date],
    credentials: Iterable[Credential],
) -> list[Upcoming]:
    """Every obligation of one client due from `today` to `horizon_days` ahead, soonest first.

    `served`: the service codes the firm handled for the client, with the last request date
    (a client is subject to a statutory date of a service served within two years);
    `credentials`: the licences it holds.
    """
    calendar = starts.calendar
    end = today + dt.timedelta(days=horizon_days)
    found: list[Upcoming] = []

    def add(code, name, service, due, weight, consequence, basis, source=""):
        found.append(
            Upcoming(
                code=code,
                name=name,
                service=service,
                due=due,
                latest_start=starts(service, due),
                weight=weight,
                consequence=consequence,
                basis=basis,
                source=source,
            )
        )

    for entry in obligations.statutory:
        last = served.get(entry.service)
        if last is None or (today - last).days > HOLDS_FOR:
            continue
        for due in statutory_dues(entry, today, end, calendar):
            add(
                entry.code,
                entry.name,
                entry.service,
                due,
                entry.consequence.weight,
                entry.consequence.text,
                entry.basis,
            )
    for held in credentials:
        if held.expires_on is None:
            continue
        rule = next((r for r in obligations.credentials if r.matches(held.kind, held.title)), None)
        if rule is None:
            continue
        try:
            due = credential_due(rule, held.expires_on, calendar)
        except DomainError:
            continue  # an expiry outside the calendar's years: long past, nothing to plan
        if today <= due <= end:
            add(
                rule.code,
                rule.name,
                rule.service,
                due,
                rule.consequence.weight,
                rule.consequence.text,
                rule.basis,
                held.title,
            )
    found.sort(key=lambda u: (u.latest_start or u.due, u.due, u.code))
    return found
