"""Training and the honest backtest of the demand radar.

Snapshots are taken on the first day of each month, from a year after the history starts
(so a year of past cases exists) to the last one whose horizon is over. The backtest keeps
the last `test_months` snapshots aside, fits on the snapshots whose horizon ended before the
first of them (a time split, never a random one), and scores the kept months. Two baselines
are scored on the same rows in the same run:

- *expedited in the last 12 months*: ranked by that count;
- *a known deadline within 30 days*: ranked by the obligations due within 30 days.

Each baseline's probability is the rate of expedites the training rows show in its group.
Ties are broken in one seeded random order shared by all three rankings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .obligations import LatestStarts, Obligations
from .radar import (
    FEATURES,
    HORIZONS,
    History,
    RadarModel,
    Snapshot,
    by_client,
    expedited_within,
    fit,
    snapshot,
)

TOP = (20, 50)
BINS = 10


@dataclass(frozen=True)
class Rows:
    snaps: list[Snapshot]
    values: np.ndarray  # one row per snapshot, FEATURES in order
    labels: dict[int, np.ndarray]  # horizon → 0/1 per snapshot
    days: np.ndarray  # the snapshot's day as an ordinal
    due_30: np.ndarray  # obligations due within 30 days (the second baseline)


def snapshot_days(history: History, *, horizon: int = max(HORIZONS)) -> list[dt.date]:
    """First days of months from a year into the history to the last with its horizon over."""
    day = dt.date(history.start.year + 1, history.start.month, 1)
    days = []
    while day + dt.timedelta(days=horizon) <= history.end:
        days.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return days


def rows(
    history: History, days: Sequence[dt.date], obligations: Obligations, starts: LatestStarts
) -> Rows:
    cases = by_client(history.cases)
    snaps, labels = [], {h: [] for h in HORIZONS}
    due_30 = []
    for day in days:
        for client in history.clients:
            own = cases.get(client.client, [])
            snap = snapshot(client, own, day, obligations, starts)
            snaps.append(snap)
            due_30.append(sum(1 for u in snap.ahead if u.due <= day + dt.timedelta(days=30)))
            for h in HORIZONS:
                labels[h].append(1 if expedited_within(own, day, h) else 0)
    values = np.asarray([s.values for s in snaps], dtype=float).reshape(-1, len(FEATURES))
    return Rows(
        snaps=snaps,
        values=values,
        labels={h: np.asarray(v, dtype=int) for h, v in labels.items()},
        days=np.asarray([s.day.toordinal() for s in snaps], dtype=int),
        due_30=np.asarray(due_30, dtype=float),
    )


def train(
    history: History, obligations: Obligations, starts: LatestStarts, *, seed: int = 0
) -> dict[int, RadarModel]:
    """The models to use from now on: fitted on every snapshot whose horizon is over."""
    data = rows(history, snapshot_days(history, horizon=min(HORIZONS)), obligations, starts)
    models = {}
    for h in HORIZONS:
        done = data.days + h <= history.end.toordinal()
        models[h] = fit(
            data.values[done], data.labels[h][done], data.days[done], horizon=h, seed=seed
        )
    return models


# -- metrics ------------------------------------------------------------------------------------


def _ranked(scores: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    return np.lexsort((tiebreak, -scores))


def _metrics(
    probs: np.ndarray,
    scores: np.ndarray,
    labels: np.ndarray,
    days: np.ndarray,
    tiebreak: np.ndarray,
) -> dict:
    out: dict = {}
    by_day = [np.flatnonzero(days == d) for d in np.unique(days)]
    for k in TOP:
        precision, recall = [], []
        for idx in by_day:
            top = idx[_ranked(scores[idx], tiebreak[idx])[:k]]
            hits = labels[top].sum()
            precision.append(hits / min(k, len(idx)))
            positives = labels[idx].sum()
            if positives:
                recall.append(hits / positives)
        out[f"precision_at_{k}"] = round(float(np.mean(precision)), 4)
        out[f"recall_at_{k}"] = round(float(np.mean(recall)) if recall else 0.0, 4)
    out["brier"] = round(float(np.mean((probs - labels) ** 2)), 4)
    bins = []
    edges = np.linspace(0, 1, BINS + 1)
    error = 0.0
    for i in range(BINS):
        inside = (probs >= edges[i]) & ((probs < edges[i + 1]) | (i == BINS - 1))
        n = int(inside.sum())
        if not n:
            continue
        predicted, observed = float(probs[inside].mean()), float(labels[inside].mean())
        error += n / len(probs) * abs(predicted - observed)
        bins.append(
            {
                "from": round(float(edges[i]), 2),
                "to": round(float(edges[i + 1]), 2),
                "count": n,
                "predicted": round(predicted, 4),
                "observed": round(observed, 4),
            }
        )
    out["calibration"] = bins
    out["calibration_error"] = round(error, 4)
    return out


def _group_rate(
    train_groups: np.ndarray, train_labels: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    rates = {}
    for g in np.unique(train_groups):
        rates[g] = float(train_labels[train_groups == g].mean())
    overall = float(train_labels.mean())
    return np.asarray([rates.get(g, overall) for g in groups], dtype=float)


def backtest(
    history: History,
    obligations: Obligations,
    starts: LatestStarts,
    *,
    test_months: int = 6,
    seed: int = 0,
) -> dict:
    """Fit on the past, score `test_months` later months, against both baselines."""
    days = snapshot_days(history)
    if len(days) < test_months + 6:
        raise ValueError("history too short for a backtest")
    test_days = days[-test_months:]
    train_days = [d for d in snapshot_days(history, horizon=min(HORIZONS)) if d < test_days[0]]
    data = rows(history, sorted(set(train_days) | set(test_days)), obligations, starts)
    first_test = test_days[0].toordinal()
    test = data.days >= first_test
    tiebreak = np.random.default_rng(seed).random(len(data.days))
    report: dict = {
        "history": {
            "start": history.start.isoformat(),
            "end": history.end.isoformat(),
            "clients": len(history.clients),
            "cases": len(history.cases),
            "expedited": sum(1 for c in history.cases if c.expedited),
        },
        "test_days": [d.isoformat() for d in test_days],
        "horizons": {},
    }
    recent = data.values[:, FEATURES.index("expedites_12m")]
    recent_group = np.minimum(recent, 3)
    soon_group = np.minimum(data.due_30, 2)
    for h in HORIZONS:
        train_rows = (data.days + h <= first_test) & ~test
        labels = data.labels[h]
        model = fit(
            data.values[train_rows], labels[train_rows], data.days[train_rows], horizon=h, seed=seed
        )
        probs = model.probabilities(data.values[test])
        y, d, tb = labels[test], data.days[test], tiebreak[test]
        methods = {
            "model": _metrics(probs, probs, y, d, tb),
            "expedited_last_12_months": _metrics(
                _group_rate(recent_group[train_rows], labels[train_rows], recent_group[test]),
                recent[test],
                y,
                d,
                tb,
            ),
            "deadline_within_30_days": _metrics(
                _group_rate(soon_group[train_rows], labels[train_rows], soon_group[test]),
                data.due_30[test],
                y,
                d,
                tb,
            ),
        }
        best = max(
            ("expedited_last_12_months", "deadline_within_30_days"),
            key=lambda m: methods[m]["precision_at_50"],
        )
        report["horizons"][str(h)] = {
            "train_rows": int(train_rows.sum()),
            "train_last_day": dt.date.fromordinal(int(data.days[train_rows].max())).isoformat(),
            "test_rows": int(test.sum()),
            "base_rate": round(float(y.mean()), 4),
            "methods": methods,
            "better_baseline": best,
            "precision_at_50_ratio": round(
                methods["model"]["precision_at_50"] / methods[best]["precision_at_50"], 3
            )
            if methods[best]["precision_at_50"]
            else None,
        }
    return report
