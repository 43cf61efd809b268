"""The authority's legal limit shown beside the firm's dates, and the catalog check's demands.

A client reading our quote, the portal or the API sees both clocks: what the law allows the
authority (法定时限, with the clause) and what we plan.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from expedite.accounts.services import api_token_create
from expedite.catalog import default_catalog_text
from expedite.portal.links import portal_path
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(
        client="hengxin", service="labor-dispatch-license", days=60, reason="新客户签约"
    ),
]

CLAUSE = "《劳务派遣行政许可实施办法》第十二条"


def test_the_quote_names_the_legal_limit_beside_our_working_days(client, case):
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "方案一（常规流程）：5 个工作日" in html
    assert "人社局：法定时限自受理申请之日起 20 个工作日（可延长 10 个工作日）" in html
    assert CLAUSE in html and 'id="authority-limits"' in html
    printed = client.get(reverse("case_quote", args=[case.pk])).content.decode()
    assert "法律允许的最长期限" in printed and CLAUSE in printed


def test_the_quote_for_an_english_reader_says_the_limit_in_english(client, case, world):
    contact = case.client.contacts.first()
    contact.language = "en"
    contact.save(update_fields=["language"])
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_quote", args=[case.pk])).content.decode()
    assert "Implementing Measures for the Administrative Licensing of Labor Dispatch" in html
    assert "20 working days" in html and "extendable by 10 working days" in html


def test_the_client_sees_the_authoritys_limit_in_the_portal(client, case):
    html = client.get(portal_path(case)).content.decode()
    assert "人社局的时限" in html
    assert "法定 自受理申请之日起 20 个工作日（可延长 10 个工作日）" in html and CLAUSE in html


def test_the_api_plan_carries_the_limits_and_the_firms_targets(client, world):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhang, name='t')[1]}"}
    body = client.post(
        "/api/v1/plans",
        {"service": "business-change", "start": "2026-11-23"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth,
    ).json()
    assert body["targets"] == {"standard": 7, "expedited": 4}
    [registry] = body["authorities"]
    assert registry["track"] == "市场监管局"
    assert registry["authority"] == "Market regulation bureau"
    limit = registry["legal_limit"]
    assert (limit["amount"], limit["unit"], limit["extension"]) == (3, "workdays", 3)
    assert limit["basis"] == "Regulations on the Registration of Market Entities, Art. 19"
    assert limit["verified_on"] == "2026-12-04"


def test_catalog_check_warns_of_a_basis_not_verified_within_the_age(tmp_path):
    text = default_catalog_text().replace(
        "    basis: 《商标法》第十条\n    verified_on: 2026-12-04\n",
        "    basis: 《商标法》第十条\n    verified_on: 2020-01-02\n",
    )
    firm = tmp_path / "firm.yaml"
    firm.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("catalog", "check", str(firm), stdout=out, stderr=err)
    assert "1 bases to re-verify" in out.getvalue()
    assert "rules[trademark-prohibited-signs]" in err.getvalue()
    assert "上次核实于 2020-01-02" in err.getvalue()
    quiet = StringIO()
    call_command("catalog", "check", str(firm), "--max-age-days", "4000", stderr=quiet)
    assert quiet.getvalue() == ""


def test_catalog_check_and_load_refuse_a_limit_without_its_basis(tmp_path):
    firm = tmp_path / "firm.yaml"
    firm.write_text(default_catalog_text().replace(f"basis: {CLAUSE}, ", "", 1), encoding="utf-8")
    for action in ("check", "load"):
        with pytest.raises(CommandError) as info:
            call_command("catalog", action, str(firm), stdout=StringIO())
        assert info.value.returncode == 2
        assert "authorities[人社局].legal_limit: 缺少 basis" in str(info.value)


def test_the_docs_table_of_limits_and_targets_is_the_catalogs_own():
    from pathlib import Path

    from expedite.catalog import load_default_catalog
    from expedite.domain.catalog_check import limits_table

    docs = (Path(__file__).parents[2] / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert limits_table(load_default_catalog()) in docs
