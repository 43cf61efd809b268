"""The demand radar's model: what a snapshot may know, the honest backtest on the synthetic
history, the model as JSON, and reasons in words."""

import datetime as dt
import json

import numpy as np
import pytest

from expedite.catalog import load_default_catalog, load_obligations
from expedite.domain.calendar import WorkCalendar
from expedite.domain.calendar_data import statutory_arrangements
from expedite.domain.obligations import Credential, LatestStarts
from expedite.domain.radar import (
    FEATURES,
    ClientRecord,
    PastCase,
    RadarModel,
    expedited_within,
    reasons,
    snapshot,
)
from expedite.domain.radar_eval import backtest, snapshot_days, train
from expedite.domain.radar_history import synthetic_history

D = dt.date
CAL = WorkCalendar(statutory_arrangements())
CATALOG = load_default_catalog()
OBLIGATIONS = load_obligations()


@pytest.fixture(scope="module")
def history():
    return synthetic_history(CATALOG, OBLIGATIONS, CAL, seed=1)


@pytest.fixture(scope="module")
def report(history):
    return backtest(history, OBLIGATIONS, LatestStarts(CATALOG, CAL), seed=1)


def test_a_snapshot_knows_only_the_past_and_the_label_only_the_future():
    day = D(2026, 3, 2)
    cases = [
        PastCase(1, "tax-filing", "tax", D(2026, 2, 1), D(2026, 2, 5), True),
        PastCase(1, "tax-filing", "tax", day, D(2026, 3, 4), True),  # on the day: the future
    ]
    snap = snapshot(
        ClientRecord(1, "standard"), cases, day, OBLIGATIONS, LatestStarts(CATALOG, CAL)
    )
    values = dict(zip(FEATURES, snap.values, strict=True))
    assert values["expedites_12m"] == 1 and values["cases_12m"] == 1
    assert expedited_within(cases, day, 30)
    assert not expedited_within(cases[:1], day, 30)


def test_the_synthetic_history_is_seeded(history):
    again = synthetic_history(CATALOG, OBLIGATIONS, CAL, seed=1)
    other = synthetic_history(CATALOG, OBLIGATIONS, CAL, seed=2)
    assert again.cases == history.cases
    assert other.cases != history.cases
    assert 0.2 < sum(c.expedited for c in history.cases) / len(history.cases) < 0.6


def test_the_backtest_splits_by_time_and_reports_both_baselines(report):
    first_test = D.fromisoformat(report["test_days"][0])
    for horizon, block in report["horizons"].items():
        methods = block["methods"]
        assert set(methods) == {"model", "expedited_last_12_months", "deadline_within_30_days"}
        for figures in methods.values():
            assert 0 <= figures["precision_at_50"] <= 1 and 0 <= figures["brier"] <= 1
            assert sum(b["count"] for b in figures["calibration"]) == block["test_rows"]
        assert block["test_rows"] == len(report["test_days"]) * report["history"]["clients"]
        # Every training row's horizon ended before the first test month.
        assert block["train_rows"] > 0
        last = D.fromisoformat(block["train_last_day"])
        assert last + dt.timedelta(days=int(horizon)) <= first_test
    assert first_test + dt.timedelta(days=60) <= D.fromisoformat(report["history"]["end"])
    json.dumps(report)  # stored as JSON beside the model


def test_the_model_beats_the_better_baseline_at_the_top_50(report):
    block = report["horizons"]["30"]
    best = block["better_baseline"]
    assert block["methods"]["model"]["precision_at_50"] > block["methods"][best]["precision_at_50"]
    assert block["methods"]["model"]["brier"] < block["methods"][best]["brier"]


def test_the_backtest_is_repeatable(history, report):
    assert backtest(history, OBLIGATIONS, LatestStarts(CATALOG, CAL), seed=1) == report


def test_snapshot_days_leave_room_for_the_horizon(history):
    days = snapshot_days(history, horizon=60)
    assert days[0] == D(2024, 1, 1)
    assert days[-1] + dt.timedelta(days=60) <= history.end


def test_the_model_round_trips_through_json_and_explains_a_score(history):
    models = train(history, OBLIGATIONS, LatestStarts(CATALOG, CAL), seed=1)
    model = RadarModel.from_json(json.loads(json.dumps(models[30].as_json())))
    assert model == models[30]
    day = D(2026, 12, 7)
    late = [PastCase(9, "tax-filing", "tax", D(2026, m, 3), D(2026, m, 6), True) for m in (3, 6, 9)]
    client = ClientRecord(
        9, "key", credentials=(Credential("permit", "食品经营许可证", D(2027, 1, 15)),)
    )
    snap = snapshot(client, late, day, OBLIGATIONS, LatestStarts(CATALOG, CAL))
    calm = snapshot(ClientRecord(10, "standard"), [], day, OBLIGATIONS, LatestStarts(CATALOG, CAL))
    assert model.probability(snap.values) > model.probability(calm.values)
    said = [r.template % r.params for r in reasons(model, snap)]
    assert said and len(said) <= 3
    assert any("食品经营许可证延续" in s or "加急了 3 次" in s for s in said)
    assert np.isclose(
        sum(model.contributions(snap.values).values()),
        model.logits(np.asarray([snap.values]))[0] - model.logits(np.asarray([model.mean]))[0],
    )


def test_a_case_meets_only_the_obligation_whose_due_date_it_is_near():
    # A 汇算清缴 case due 1 June does not meet the 15 April prepayment of the same service.
    settlement = PastCase(3, "tax-filing", "tax", D(2026, 2, 10), D(2026, 6, 1), False)
    snap = snapshot(
        ClientRecord(3, "standard"),
        [settlement],
        D(2026, 3, 20),
        OBLIGATIONS,
        LatestStarts(CATALOG, CAL),
    )
    assert D(2026, 4, 15) in [u.due for u in snap.ahead if u.code == "income-tax-prepayment"]
