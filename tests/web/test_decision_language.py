"""The triage decision in the reader's language: stored as codes, said in Chinese or English
on the case page, over the API (Accept-Language) and on the command line (--lang)."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from expedite import clock
from expedite.accounts.services import api_token_create
from expedite.cases.triage import TriageInput, case_triage, case_verdict_override
from expedite.cases.triage_text import readable
from expedite.cases.words import say
from tests.conftest import PASSWORD
from tests.factories import new_case

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")
DEREG_FACTS = {"returns_filed": False, "unpaid_taxes": False}


def far() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=45)


def visible(html: str) -> str:
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def dereg(world):
    case = new_case(
        world, client=world.hengxin, service="tax-deregistration", deadline=far(), reason="x"
    )
    return case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(deadline=far(), written_notice=False, facts=DEREG_FACTS),
        now=clock.now(),
    )


def test_the_case_stores_codes_and_parameters_not_sentences(dereg):
    stored = dereg.triage
    assert stored["verdict"] == "blocked"
    assert [r["code"] for r in stored["reasons"]] == ["triage.rule", "triage.remedy_first"]
    assert stored["reasons"][0]["params"]["reason"] == {"term": stored["fired_rules"][0]["reason"]}
    assert stored["priority_reason"]["code"] == "priority.reason"
    assert "verdict_label" not in stored
    assert all(isinstance(line, dict) for line in stored["summary"])


def test_the_triage_panel_reads_in_english_for_an_english_reader(client, world, dereg):
    client.login(username="zhang", password=PASSWORD)
    chinese = client.get(reverse("case_panel", args=[dereg.pk, "triage"])).content.decode()
    assert "合规路径：先办理前提事项" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("case_panel", args=[dereg.pk, "triage"])).content.decode()
    text = visible(html.split('id="triage-summary"')[0])
    assert "Compliant path" in text
    # What people typed (the staff member's name) is the only Chinese left.
    assert HAN.findall(text.replace("张敏", "")) == []


def test_an_override_note_follows_the_reader(client, world, dereg):
    case_verdict_override(
        actor=world.chen, case=dereg, verdict="expedite", reason="客户已经补报了", now=clock.now()
    )
    dereg.refresh_from_db()
    client.login(username="chen", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    summary = readable(dereg.triage)["summary"]
    assert summary.startswith("经理改判")  # rendered outside a request: the default, Chinese
    html = client.get(reverse("case_panel", args=[dereg.pk, "triage"])).content.decode()
    assert "Manager override" in html and "客户已经补报了" in html


def test_a_decision_stored_as_text_before_phrases_still_displays(client, world, dereg):
    legacy = {
        **dereg.triage,
        "reasons": ["按常规流程 3 个工作日即可完成，无需加急。"],
        "summary": "张总您好，旧的说明。",
        "priority_reason": "优先级 0.50",
        "to_change": ["截止日期放宽到 2026-12-31"],
    }
    type(dereg).objects.filter(pk=dereg.pk).update(triage=legacy)
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_panel", args=[dereg.pk, "triage"])).content.decode()
    assert "按常规流程 3 个工作日即可完成，无需加急。" in html
    assert "张总您好，旧的说明。" in html and "截止日期放宽到 2026-12-31" in html
    assert say("优先级 0.50") == "优先级 0.50"


@pytest.fixture
def auth(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhang, name='t')[1]}"}


def _what_if(client, auth, **headers):
    return client.post(
        "/api/v1/triage",
        {
            "service": "tax-deregistration",
            "deadline": far().isoformat(),
            "written_notice": False,
            "facts": DEREG_FACTS,
        },
        content_type="application/json",
        **auth,
        **headers,
    ).json()


def test_the_api_keeps_codes_and_labels_follow_accept_language(client, world, auth):
    zh = _what_if(client, auth)
    en = _what_if(client, auth, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,zh;q=0.5")
    assert zh["verdict"] == en["verdict"] == "blocked"
    assert [r["code"] for r in zh["reasons"]] == [r["code"] for r in en["reasons"]]
    assert [r["params"] for r in zh["reasons"]] == [r["params"] for r in en["reasons"]]
    assert zh["verdict_label"] == "须先满足前提"
    assert en["verdict_label"] == "Blocked by a prerequisite"
    assert "合规路径" in zh["reasons"][1]["text"]
    assert en["reasons"][1]["text"].startswith("Compliant path")
    assert HAN.findall(" ".join(r["text"] for r in en["reasons"])) == []
    assert HAN.findall(en["priority_reason"]) == []
    assert HAN.findall(" ".join(f["text"] for f in en["flags"])) == []
    # Chinese first: a browser's English preference does not change the pages.
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "员工登录" in page.content.decode()


def _cli(*args):
    out = StringIO()
    call_command(
        "triage",
        "tax-deregistration",
        "--deadline",
        far().isoformat(),
        "--no-written-notice",
        *(f"--fact={k}={str(v).lower()}" for k, v in DEREG_FACTS.items()),
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_the_command_line_keeps_codes_and_speaks_the_language_asked(catalog):
    zh = json.loads(_cli("--json"))
    en = json.loads(_cli("--json", "--lang", "en"))
    assert zh["verdict"] == en["verdict"] == "blocked"
    assert [r["code"] for r in zh["reasons"]] == [r["code"] for r in en["reasons"]]
    assert en["verdict_label"] == "Blocked by a prerequisite"
    assert HAN.findall(" ".join(r["text"] for r in en["reasons"])) == []
    text = _cli("--lang", "en")
    assert text.startswith("blocked (Blocked by a prerequisite)")
    assert "Compliant path" in text


def test_what_the_liaison_sends_is_in_the_client_s_language(client, world, dereg):
    """A Chinese-reading liaison copies the summary and the quote for an English-reading
    client in English, marked as such; the rest of the page stays Chinese."""
    assert world.hengxin.contacts.exists()
    world.hengxin.contacts.update(language="en")
    client.login(username="zhang", password=PASSWORD)
    html = client.get(reverse("case_panel", args=[dereg.pk, "triage"])).content.decode()
    summary = html.split('id="triage-summary"')[1].split("</textarea>")[0]
    assert 'lang="en"' in summary and "Dear " in summary and "Reasons:" in summary
    assert HAN.findall(summary.replace(world.hengxin.name, "")) == []
    assert "按客户的语言" in html and "合规路径：先办理前提事项" in html
    plan = client.get(reverse("case_plan", args=[dereg.pk])).content.decode()
    quote = plan.split('id="quote-text"')[1].split("</textarea>")[0]
    assert 'lang="en"' in quote and "Option 1 (standard process)" in quote
    world.hengxin.contacts.update(language="zh-hans")
    html = client.get(reverse("case_panel", args=[dereg.pk, "triage"])).content.decode()
    assert "按客户的语言" not in html and "您好" in html.split('id="triage-summary"')[1]
