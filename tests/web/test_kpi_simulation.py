"""Loading the yearly simulation's result for the KPI page: stored once (service and
command), a malformed one refused with nothing stored.

The expected figures are read from the packaged result, which the benchmark overwrites."""

import copy
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from expedite.domain.errors import ValidationFailed
from expedite.kpi.models import SimulationRun
from expedite.kpi.simulation import packaged_result, simulation_load

pytestmark = pytest.mark.django_db


def stored() -> tuple[int, int]:
    runs = SimulationRun.objects.count()
    return runs, AuditEvent.objects.filter(kind=AuditKind.KPI_SIMULATION_LOADED).count()


def later(result: dict, hours: int) -> dict:
    """The same result, as if run `hours` later (another run)."""
    ran_at = dt.datetime.fromisoformat(result["ran_at"]) + dt.timedelta(hours=hours)
    return {**copy.deepcopy(result), "ran_at": ran_at.isoformat()}


def test_a_result_is_stored_once_however_often_it_is_loaded(db):
    result = packaged_result()
    run = simulation_load(result=result, source="firm-year.json")
    assert run.stored_now
    assert (run.seed, run.label, run.result) == (result["seed"], result["label"], result)
    assert run.ran_at == dt.datetime.fromisoformat(result["ran_at"])
    again = simulation_load(result=copy.deepcopy(result))
    assert not again.stored_now and again.pk == run.pk
    assert stored() == (1, 1)
    event = AuditEvent.objects.get(kind=AuditKind.KPI_SIMULATION_LOADED)
    assert event.payload["run"] == run.pk and event.payload["source"] == "firm-year.json"
    # Another run time is another run.
    assert simulation_load(result=later(result, 1)).stored_now
    assert stored() == (2, 2)


def _without(path: str):
    def change(result):
        *parents, last = path.split(".")
        node = result
        for key in parents:
            node = node[key]
        del node[last]

    return change


def _set(path: str, value):
    def change(result):
        *parents, last = path.split(".")
        node = result
        for key in parents:
            node = node[key]
        node[last] = value

    return change


def _more_kept_than_promised(result):
    product = result["policies"]["product"]
    product["kept"] = product["promises"] + 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_without("policies.edf.misses"), "模拟结果缺少“policies.edf.misses”。"),
        (_without("policies.no_levers"), "模拟结果缺少“policies.no_levers”。"),
        (_without("goals"), "模拟结果缺少“goals”。"),
        (_set("policies.product.kept", "many"), "“policies.product.kept”应为不小于 0 的数字"),
        (_set("policies.fcfs.overtime_hours", None), "“policies.fcfs.overtime_hours”应为不小于"),
        (_set("policies.edf.misses", -1), "“policies.edf.misses”应为不小于 0 的数字"),
        (_set("policies.product.misses", True), "“policies.product.misses”应为不小于 0 的数字"),
        (_set("staff", float("nan")), "不是有效的 JSON 数据"),
        (_set("seed", "1"), "“seed”应为整数"),
        (_set("goals.warned_ahead_days", 1.5), "“goals.warned_ahead_days”应为整数"),
        (_set("ran_at", "2026-12-05 evening"), "“ran_at”应为带时区的时间"),
        (_set("ran_at", "2026-12-05T18:00:00"), "“ran_at”应为带时区的时间"),
        (_set("label", ""), "“label”应为 1 到 64 个字符的文字"),
        (_set("policies.fcfs", [1, 2]), "“policies.fcfs”应为 JSON 对象"),
        (_set("policies.product.warning_lead_days", "3,1"), "应为列表"),
        (_set("policies.product.warning_lead_days", ["3"]), "应为数字或 null 的列表"),
        (_more_kept_than_promised, "“policies.product.kept”（"),
    ],
)
def test_a_malformed_result_is_refused_naming_the_key_and_nothing_is_stored(db, change, message):
    good = packaged_result()
    simulation_load(result=good)
    bad = later(good, 1)
    change(bad)
    with pytest.raises(ValidationFailed) as info:
        simulation_load(result=bad)
    assert message in info.value.message
    assert stored() == (1, 1)


def test_a_result_that_is_not_an_object_is_refused(db):
    with pytest.raises(ValidationFailed, match="模拟结果应为一个 JSON 对象。"):
        simulation_load(result=[packaged_result()])
    assert stored() == (0, 0)


def test_the_command_loads_a_file_once_and_says_which_run(db, tmp_path):
    result = packaged_result()
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    out = StringIO()
    call_command("simulation", "load", str(path), stdout=out)
    assert out.getvalue().startswith(f"已载入模拟结果 {result['label']}：{result['year']} 年")
    assert out.getvalue().count("\n") == 1
    out = StringIO()
    call_command("simulation", "load", str(path), stdout=out)
    assert "此前已载入，未重复保存" in out.getvalue()
    assert stored() == (1, 1)


def test_the_command_refuses_a_missing_or_malformed_file_and_stores_nothing(db, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("simulation", "load", str(tmp_path / "none.json"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"label": "firm-year",', encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json 不是有效的 JSON（第 1 行"):
        call_command("simulation", "load", str(broken))
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"label": "é"}'.encode("latin-1"))
    with pytest.raises(CommandError, match="不是 UTF-8 文本文件"):
        call_command("simulation", "load", str(latin))
    shapeless = tmp_path / "shapeless.json"
    result = packaged_result()
    del result["policies"]["product"]["misses"]
    shapeless.write_text(json.dumps(result), encoding="utf-8")
    with pytest.raises(CommandError, match=r"shapeless\.json: 模拟结果缺少“policies\.product\."):
        call_command("simulation", "load", str(shapeless))
    assert stored() == (0, 0)
