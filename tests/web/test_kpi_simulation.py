"""The yearly simulation on the KPI page: its result loaded once (service, command, demo), a
malformed one refused, the tab in Chinese and in English, and who may see it.

The expected figures are read from the packaged result, which the benchmark overwrites."""

import copy
import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.timezone import localtime

from expedite.audit.models import AuditEvent
from expedite.domain.audit import AuditKind
from expedite.domain.errors import ValidationFailed
from expedite.kpi.demo import simulation_demo_load
from expedite.kpi.models import SimulationRun
from expedite.kpi.simulation import POLICIES, packaged_result, simulation_load
from tests.conftest import PASSWORD
from tests.web.languages_helpers import HAN, visible_text

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


def main_text(page: str) -> str:
    return visible_text(page.split("<main>")[1].split("</main>")[0])


def _goals(result: dict) -> dict[str, bool]:
    """The three goals as the benchmark states them."""
    product, edf, goals = result["policies"]["product"], result["policies"]["edf"], result["goals"]
    return {
        "goal-kept": product["kept"] >= goals["kept_share"] * product["promises"] - 1e-6,
        "goal-warned": product["misses_warned_ahead"] == product["misses"],
        "goal-edf": product["misses"] < edf["misses"],
    }


def _goal_met(page: str, goal: str) -> bool:
    (item,) = re.findall(rf'<li id="{goal}">(.*?)</li>', page, re.S)
    return "state-running" in item


def _row(page: str, row: str) -> list[str]:
    (cells,) = re.findall(rf'<tr id="row-{row}">(.*?)</tr>', page, re.S)
    return [visible_text(c) for c in re.findall(r"<td>(.*?)</td>", cells, re.S)]


def _share(part, whole) -> str:
    value = part / whole * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def test_the_tab_shows_the_newest_runs_figures_for_a_manager(client, world):
    result = packaged_result()
    simulation_load(result=later(result, -24))
    older = later(result, -48)
    older["policies"]["product"]["kept"] = 0
    simulation_load(result=older)
    client.login(username="chen", password=PASSWORD)
    dashboard = client.get(reverse("kpi_dashboard")).content.decode()
    assert f'href="{reverse("kpi_simulation")}"' in dashboard
    page = client.get(reverse("kpi_simulation")).content.decode()
    facts = main_text(page)
    year, staff, cases, urgent, seed = (
        _number(result[key]) for key in ("year", "staff", "cases", "urgent", "seed")
    )
    ran_at = localtime(dt.datetime.fromisoformat(result["ran_at"]) - dt.timedelta(hours=24))
    assert (
        f"模拟 {year} 年全年：{staff} 名员工，{cases} 件委托，其中加急 {urgent} 件；"
        f"随机种子 {seed}，{ran_at:%Y-%m-%d %H:%M} 运行。"
    ) in facts
    policies = [result["policies"][key] for key in POLICIES]
    assert "加急服务台" in facts and "最早截止优先" in facts and "不用加急手段" in facts
    assert _row(page, "kept") == [
        f"{_number(p['kept'])}/{_number(p['promises'])} {_share(p['kept'], p['promises'])}"
        for p in policies
    ]
    assert _row(page, "misses") == [_number(p["misses"]) for p in policies]
    assert _row(page, "warned-ahead") == [
        "—" if p["misses_warned_ahead"] is None else _number(p["misses_warned_ahead"])
        for p in policies
    ]
    assert _row(page, "false-urgency") == [
        "—"
        if p["false_urgency_caught"] is None
        else f"{_number(p['false_urgency_caught'])}/{_number(p['false_urgency'])}"
        for p in policies
    ]
    assert _row(page, "overtime") == [f"{p['overtime_hours']:.1f}" for p in policies]
    assert _row(page, "surcharge") == [
        "—" if p["surcharge_share"] is None else "+" + _share(p["surcharge_share"], 1)
        for p in policies
    ]
    reference = _share(result["surcharge_reference"], 1)
    assert f"平均加急加价（参考 +{reference}）" in facts
    for goal, met in _goals(result).items():
        assert _goal_met(page, goal) is met, goal
    assert "<svg" in page.split('id="simulation-chart"')[1]


def test_the_tab_reads_in_english(client, world):
    result = packaged_result()
    simulation_load(result=result)
    client.login(username="chen", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("kpi_simulation")).content.decode()
    text = main_text(page)
    assert HAN.findall(text) == []
    for name in ("Expedite", "First come, first served", "Earliest deadline first", "No levers"):
        assert name in text
    product = result["policies"]["product"]
    assert f"{_number(product['kept'])}/{_number(product['promises'])}" in text
    assert f"{_number(result['staff'])} staff" in text
    # The chart's labels are whole, not cut.
    assert ">First come, first served<" in page


def test_with_no_run_loaded_the_tab_says_so_and_nothing_else(client, world):
    client.login(username="chen", password=PASSWORD)
    page = client.get(reverse("kpi_simulation")).content.decode()
    assert "尚未载入模拟结果。" in page
    assert 'id="simulation-policies"' not in page and "expedite simulation" not in page


def test_whoever_may_not_see_the_kpis_may_not_see_the_simulation(client, world):
    simulation_load(result=packaged_result())
    client.login(username="zhang", password=PASSWORD)
    kpi = client.get(reverse("kpi_dashboard"))
    simulation = client.get(reverse("kpi_simulation"))
    assert kpi.status_code == simulation.status_code == 403
    assert main_text(simulation.content.decode()) == main_text(kpi.content.decode())
    client.logout()
    kpi, simulation = client.get(reverse("kpi_dashboard")), client.get(reverse("kpi_simulation"))
    assert kpi.status_code == simulation.status_code == 302
    assert simulation.url.split("?")[0] == kpi.url.split("?")[0]


def test_the_demo_loads_the_packaged_result_once(db):
    assert simulation_demo_load() is True
    assert simulation_demo_load() is False
    assert stored() == (1, 1)
