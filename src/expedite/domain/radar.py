"""The demand radar's model: which clients will ask for an expedite in the next 30 or 60 days.

A client on a day (a *snapshot*) is described by what was known that day: its past cases
(how many, how many expedited, how often it asked late), its tier, its service mix and the
obligations ahead of it with their latest starts (`obligations.py`). The label is whether it
requested an expedited case within the horizon after that day.

The model is a logistic regression on standardised features, then a Platt scaling fitted on
a later stretch of the history than the regression, so its probabilities mean what they say.
Both are plain numbers (`RadarModel`), stored as JSON and applied without the library that
fitted them; each score comes with the features that raised it most, as reasons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import gettext_noop
from .obligations import Credential, LatestStarts, Obligations, Upcoming, client_obligations

HORIZONS = (30, 60)
LOOK_AHEAD = 120  # days of obligations a snapshot looks at
HANDLED_WITHIN = 120  # a case of the service requested this long before a due date meets it
HANDLED_AROUND = 31  # … when its deadline is this close to the due date


@dataclass(frozen=True, slots=True)
class PastCase:
    """One case of the history, as the radar reads it."""

    client: int
    service: str
    category: str
    requested: dt.date
    deadline: dt.date
    expedited: bool


@dataclass(frozen=True, slots=True)
class ClientRecord:
    client: int
    tier: str  # standard, key, strategic
    credentials: tuple[Credential, ...] = ()
    outreach: tuple[dt.date, ...] = ()  # days the firm proposed planned work to it


@dataclass(frozen=True, slots=True)
class History:
    """A firm's history up to `end` (exclusive): its clients and their cases."""

    clients: tuple[ClientRecord, ...]
    cases: tuple[PastCase, ...]
    start: dt.date
    end: dt.date


# -- features ------------------------------------------------------------------------------------

FEATURES = (
    "expedites_12m",
    "cases_12m",
    "late_share",
    "months_since_expedite",
    "start_within_30",
    "start_within_60",
    "start_passed",
    "weight_ahead",
    "tier_key",
    "tier_strategic",
    "licence_share",
    "outreach_60",
    "pressing_late",
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One client on one day: its features, and what they refer to (for the reasons)."""

    client: int
    day: dt.date
    values: tuple[float, ...]
    ahead: tuple[Upcoming, ...]  # obligations not yet handled, soonest latest start first
    facts: Mapping[str, float] = field(default_factory=dict)


def pending(up: Upcoming, cases: Sequence[PastCase], day: dt.date) -> bool:
    """Whether nothing requested before `day` already meets the obligation."""
    for c in cases:
        if (
            c.service == up.service
            and c.requested < day
            and (up.due - c.requested).days <= HANDLED_WITHIN
            and abs((c.deadline - up.due).days) <= HANDLED_AROUND
        ):
            return False
    return True


def snapshot(
    client: ClientRecord,
    cases: Sequence[PastCase],
    day: dt.date,
    obligations: Obligations,
    starts: LatestStarts,
) -> Snapshot:
    """The client as known on `day`: only cases requested before it count. `cases` are the
    client's own, in any order."""
    before = [c for c in cases if c.requested < day]
    year = day - dt.timedelta(days=365)
    three = day - dt.timedelta(days=3 * 365)
    recent = [c for c in before if c.requested >= year]
    longer = [c for c in before if c.requested >= three]
    expedited = [c for c in recent if c.expedited]
    expedited_long = [c for c in longer if c.expedited]
    last = max((c.requested for c in before if c.expedited), default=None)
    months = min(36.0, (day - last).days / 30.4) if last else 36.0
    served: dict[str, dt.date] = {}
    for c in before:
        if c.requested > served.get(c.service, dt.date.min):
            served[c.service] = c.requested
    ahead = tuple(
        u
        for u in client_obligations(
            obligations,
            starts,
            today=day,
            horizon_days=LOOK_AHEAD,
            served=served,
            credentials=client.credentials,
        )
        if u.latest_start is not None and pending(u, before, day)
    )
    within_30 = [u for u in ahead if day <= u.latest_start <= day + dt.timedelta(days=30)]
    within_60 = [u for u in ahead if day <= u.latest_start <= day + dt.timedelta(days=60)]
    passed = [u for u in ahead if u.latest_start < day]
    pressing = passed + within_60
    licence = sum(1 for c in longer if c.category == "license")
    values = (
        float(len(expedited)),
        float(len(recent)),
        (len(expedited_long) + 1) / (len(longer) + 4),
        months,
        float(len(within_30)),
        float(len(within_60)),
        float(len(passed)),
        float(max((u.weight for u in pressing), default=0)),
        1.0 if client.tier == "key" else 0.0,
        1.0 if client.tier == "strategic" else 0.0,
        (licence + 0.0) / (len(longer) + 1),
        float(sum(1 for d in client.outreach if day - dt.timedelta(days=60) <= d < day)),
        # A duty close at hand weighs by the client's habit of starting late.
        (len(within_30) + len(passed)) * (len(expedited_long) + 1) / (len(longer) + 4),
    )
    facts = {"late_cases": float(len(expedited_long)), "cases_36m": float(len(longer))}
    return Snapshot(client=client.client, day=day, values=values, ahead=ahead, facts=facts)


def expedited_within(cases: Sequence[PastCase], day: dt.date, horizon: int) -> bool:
    """The label: an expedited case requested on `day` or within `horizon` days after it."""
    end = day + dt.timedelta(days=horizon)
    return any(c.expedited and day <= c.requested < end for c in cases)


def by_client(cases: Iterable[PastCase]) -> dict[int, list[PastCase]]:
    grouped: dict[int, list[PastCase]] = {}
    for c in cases:
        grouped.setdefault(c.client, []).append(c)
    return grouped


# -- the model ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RadarModel:
    """A fitted model for one horizon, as numbers (JSON-safe through `as_json`)."""

    horizon: int
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    platt: tuple[float, float]  # calibrated logit = a · logit + b

    def logits(self, rows: np.ndarray) -> np.ndarray:
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        raw = z @ np.asarray(self.coef) + self.intercept
        return self.platt[0] * raw + self.platt[1]

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def probability(self, values: Sequence[float]) -> float:
        return float(self.probabilities(np.asarray([values], dtype=float))[0])

    def contributions(self, values: Sequence[float]) -> dict[str, float]:
        """How much each feature moves this client's log-odds from the average client's."""
        z = (np.asarray(values, dtype=float) - np.asarray(self.mean)) / np.asarray(self.scale)
        parts = z * np.asarray(self.coef) * self.platt[0]
        return dict(zip(self.features, (float(p) for p in parts), strict=True))

    def as_json(self) -> dict:
        return {
            "horizon": self.horizon,
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "platt": list(self.platt),
        }

    @classmethod
    def from_json(cls, doc: Mapping) -> RadarModel:
        return cls(
            horizon=int(doc["horizon"]),
            features=tuple(doc["features"]),
            mean=tuple(float(v) for v in doc["mean"]),
            scale=tuple(float(v) for v in doc["scale"]),
            coef=tuple(float(v) for v in doc["coef"]),
            intercept=float(doc["intercept"]),
            platt=(float(doc["platt"][0]), float(doc["platt"][1])),
        )


class NotEnoughHistory(ValueError):
    """Too few snapshots or no expedite among them: nothing to learn from."""


def fit(
    rows: np.ndarray, labels: np.ndarray, order: np.ndarray, *, horizon: int, seed: int = 0
) -> RadarModel:
    """Fit on the earlier three quarters of the rows (by `order`, their days), calibrate on
    the rest: the calibration sees a later stretch than the regression, as a new day will."""
    # scikit-learn is loaded only to fit, never to score a page.
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if len(rows) < 40 or labels.sum() < 5 or labels.sum() == len(labels):
        raise NotEnoughHistory
    ranked = np.argsort(order, kind="stable")
    cut = int(len(ranked) * 0.75)
    early, late = ranked[:cut], ranked[cut:]
    if labels[early].sum() < 3 or labels[late].sum() < 2:
        raise NotEnoughHistory
    scaler = StandardScaler().fit(rows[early])
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    z_early = (rows[early] - scaler.mean_) / scale
    regression = LogisticRegression(C=1.0, max_iter=2000, random_state=seed).fit(
        z_early, labels[early]
    )
    raw_late = ((rows[late] - scaler.mean_) / scale) @ regression.coef_[0] + (
        regression.intercept_[0]
    )
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(raw_late.reshape(-1, 1), labels[late])
    return RadarModel(
        horizon=horizon,
        features=FEATURES,
        mean=tuple(float(v) for v in scaler.mean_),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in regression.coef_[0]),
        intercept=float(regression.intercept_[0]),
        platt=(float(platt.coef_[0][0]), float(platt.intercept_[0])),
    )


# -- reasons ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a score is high, as a message template and its values (rendered at the edge)."""

    code: str
    template: str
    params: Mapping[str, object]
    weight: float

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "template": self.template,
            "params": dict(self.params),
            "weight": round(self.weight, 3),
        }


def _reason(name: str, snap: Snapshot) -> tuple[str, dict] | None:
    v = dict(zip(FEATURES, snap.values, strict=True))
    first = snap.ahead[0] if snap.ahead else None
    if name == "expedites_12m" and v[name] >= 1:
        return gettext_noop("过去 12 个月加急了 %(count)s 次"), {"count": int(v[name])}
    if name == "cases_12m" and v[name] >= 1:
        return gettext_noop("过去 12 个月委托了 %(count)s 件事项"), {"count": int(v[name])}
    if name == "late_share" and snap.facts.get("late_cases", 0) >= 1:
        return gettext_noop(
            "近三年 %(total)s 件委托中有 %(late)s 件是临近期限才提出、只能加急的"
        ), {
            "total": int(snap.facts["cases_36m"]),
            "late": int(snap.facts["late_cases"]),
        }
    if name == "months_since_expedite" and v[name] < 36:
        return gettext_noop("上次加急在约 %(months)s 个月前"), {"months": max(1, round(v[name]))}
    if (
        name in ("start_within_30", "start_within_60", "weight_ahead", "pressing_late")
        and first is not None
        and first.latest_start >= snap.day
    ):
        return gettext_noop("%(name)s 须在 %(date)s 前启动（截止 %(due)s）"), {
            "name": first.name,
            "date": first.latest_start.isoformat(),
            "due": first.due.isoformat(),
        }
    if name in ("start_passed", "weight_ahead", "pressing_late") and first is not None:
        return gettext_noop("%(name)s 的最晚启动日 %(date)s 已过，截止 %(due)s，现在办只能加急"), {
            "name": first.name,
            "date": first.latest_start.isoformat(),
            "due": first.due.isoformat(),
        }
    if name == "tier_key" and v[name]:
        return gettext_noop("重点客户，委托较多"), {}
    if name == "tier_strategic" and v[name]:
        return gettext_noop("战略客户，委托较多"), {}
    if name == "licence_share" and v[name] >= 0.3:
        return gettext_noop("以往委托多为许可类事项，这类事项常临期才办"), {}
    return None


def reasons(model: RadarModel, snap: Snapshot, *, limit: int = 3) -> list[Reason]:
    """The features that raise this client's score most, in words; at most `limit`."""
    found: list[Reason] = []
    seen: set[str] = set()
    parts = model.contributions(snap.values)
    for name, weight in sorted(parts.items(), key=lambda kv: -kv[1]):
        if weight <= 0.05 or len(found) >= limit:
            break
        said = _reason(name, snap)
        if said is None or said[0] in seen:
            continue
        seen.add(said[0])
        found.append(Reason(code=name, template=said[0], params=said[1], weight=weight))
    return found
