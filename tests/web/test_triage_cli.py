"""`expedite triage`: the command line says which facts to pass, and how.

The deadline is two months ahead of the test's own today, so no verdict here depends on the
hour or the day the suite runs at.
"""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.cases.models import Case

LICENSE = "  · 营业执照在有效期内：--fact business_license_valid=true|false"
CAPITAL = "  · 注册资本（元）：--fact registered_capital=<数字>"


def deadline() -> str:
    return (timezone.localdate() + dt.timedelta(days=60)).isoformat()


def triage(*args: str) -> str:
    out = StringIO()
    call_command("triage", "labor-dispatch-license", "--deadline", deadline(), *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> tuple[str, str]:
    """The message and stdout of a refused run, which must exit 2 and write nothing."""
    before = (AuditEvent.objects.count(), Case.objects.count())
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "triage", "labor-dispatch-license", "--deadline", deadline(), *args, stdout=out
        )
    assert info.value.returncode == 2
    assert (AuditEvent.objects.count(), Case.objects.count()) == before
    return str(info.value), out.getvalue()


def test_every_missing_fact_is_listed_at_once_with_its_flag_and_values(catalog):
    message, out = refused()
    assert message.splitlines() == [
        "还需要回答以下问题（用 --fact 名称=值 传入）：",
        LICENSE,
        CAPITAL,
    ]
    assert out == ""


def test_only_the_facts_still_missing_are_asked_for(catalog):
    message, _out = refused("--fact", "business_license_valid=true")
    assert message.splitlines()[1:] == [CAPITAL]


def test_json_lists_the_missing_facts_for_scripts(catalog):
    _message, out = refused("--json", "--fact", "registered_capital=3000000")
    body = json.loads(out)
    assert body["verdict"] is None
    assert body["missing_facts"] == [
        {
            "code": "business_license_valid",
            "question": "营业执照在有效期内",
            "type": "boolean",
            "expected": "true|false",
        }
    ]


def test_an_unknown_fact_is_refused_with_the_facts_the_rules_read(catalog):
    message, _out = refused("--fact", "business_license_valid=true", "--fact", "colour=red")
    assert message.splitlines() == [
        "本事项（劳务派遣许可证）的规则不需要“colour”。",
        "本事项的规则需要回答的问题（用 --fact 名称=值 传入）：",
        LICENSE,
        CAPITAL,
    ]


def test_a_service_whose_rules_ask_nothing_refuses_any_fact(catalog):
    with pytest.raises(CommandError, match="不需要回答任何问题，请去掉 --fact") as info:
        call_command(
            "triage",
            "invoice-correction",
            "--deadline",
            deadline(),
            "--fact",
            "cross_month=true",
            stdout=StringIO(),
        )
    assert info.value.returncode == 2


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        ("registered_capital=abc", "应为不小于 0 的数字（如 2000000），收到“abc”"),
        ("registered_capital=-5", "应为不小于 0 的数字"),
        ("registered_capital=２０００", "应为不小于 0 的数字"),
        ("registered_capital=true", "应为不小于 0 的数字"),
        ("business_license_valid=maybe", "只能回答 true 或 false，收到“maybe”"),
        ("business_license_valid=1", "只能回答 true 或 false"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_form_expected(catalog, fact, expected):
    message, _out = refused("--fact", fact)
    assert expected in message
    name = fact.split("=")[0]
    form = "true|false" if name == "business_license_valid" else "<数字>"
    assert message.endswith(f"--fact {name}={form}")


def test_every_bad_fact_is_reported_at_once(catalog):
    message, _out = refused(
        "--fact", "registered_capital=abc", "--fact", "business_license_valid=maybe"
    )
    assert len(message.splitlines()) == 2
    assert "注册资本" in message and "营业执照" in message


def test_the_same_fact_twice_is_refused(catalog):
    message, _out = refused(
        "--fact", "business_license_valid=true", "--fact", "business_license_valid=false"
    )
    assert "--fact business_license_valid 传入了不止一次" in message


def test_a_complete_set_of_facts_gives_a_verdict(catalog):
    out = triage("--fact", "business_license_valid=true", "--fact", "registered_capital=100000")
    assert out.splitlines()[0] == "blocked（须先满足前提）"
    assert "规则 labor-dispatch-minimum-capital" in out
    out = triage("--fact", "business_license_valid=是", "--fact", "registered_capital=2,000,000")
    assert out.splitlines()[0] == "not_needed（无需加急）"


def test_json_of_a_verdict_has_no_missing_facts(catalog):
    body = json.loads(
        triage(
            "--json",
            "--fact",
            "business_license_valid=false",
            "--fact",
            "registered_capital=2000000",
        )
    )
    assert body["verdict"] == "blocked"
    assert body["missing_facts"] == []
    assert [r["code"] for r in body["fired_rules"]] == ["license-requires-valid-business-license"]
