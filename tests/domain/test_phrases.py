"""Phrases: codes and parameters that render in any language, and survive being stored."""

import json
import re

import pytest

from expedite.domain import triage, verdict_text  # noqa: F401 - registers their phrases
from expedite.domain.phrases import TEMPLATES, Items, Msg, Phrase, Term, render

PLACEHOLDER = re.compile(r"%\((\w+)\)")


def test_a_phrase_round_trips_through_json_and_renders_the_same():
    p = Phrase(
        "triage.stage_reached", {"stage": Term("部门审批中"), "behind": Items((Term("初审"),))}
    )
    stored = json.loads(json.dumps(p.as_json()))
    assert stored == {
        "code": "triage.stage_reached",
        "params": {"stage": {"term": "部门审批中"}, "behind": {"items": [{"term": "初审"}]}},
        "text": p.zh,
    }
    assert render(stored) == p.zh
    assert p.zh.startswith("事项已到“部门审批中”环节")


def test_the_reader_s_translators_reach_every_part():
    p = Phrase(
        "summary.flag",
        {"flag": Msg("截止日期已过")},
    )
    outer = Phrase("summary.reason", {"reason": p})
    english = {"  · %(reason)s": "  - %(reason)s", "注意：%(flag)s。": "Note: %(flag)s."}
    english["截止日期已过"] = "The deadline has passed"
    said = render(outer.as_json(), translate=lambda s: english.get(s, s), term=str.upper)
    assert said == "  - Note: The deadline has passed."
    listed = Phrase(
        "change.precondition", {"needs": Items((Term("a"), Term("b"))), "lever": Term("c")}
    )
    assert render(listed.as_json(), term=str.upper, sep=", ") == "做到“A, B”，即可采用“C”"


def test_an_unknown_code_is_refused_when_made_and_shown_as_kept_when_stored():
    with pytest.raises(KeyError):
        Phrase("no.such.code")
    assert render({"code": "retired.code", "params": {}, "text": "旧的说法"}) == "旧的说法"
    assert render("按常规流程办理。") == "按常规流程办理。"  # stored before phrases existed
    assert render(None) == ""


def test_a_translation_that_breaks_its_placeholders_falls_back_to_chinese():
    p = Phrase("change.deadline", {"finish": "2026-12-31"})
    assert render(p.as_json(), translate=lambda s: "Until %(wrong)s") == "截止日期放宽到 2026-12-31"


def test_a_phrase_stored_before_its_template_changed_still_displays():
    """Stored parameters that no longer fit the template (one missing, a number stored as
    text) show what was said, or the template with what it finds; never an error."""
    assert render({"code": "triage.infeasible", "params": {"finish": "2026-12-01"}}) == (
        "即使采用全部可行的加急手段，最快也要 2026-12-01 完成，比截止日期晚 — 个工作日。"
    )
    assert render({"code": "priority.slack", "params": {"days": "1.0"}}) == "余量 1.0 个工作日"
    kept = {"code": "triage.infeasible", "params": {}, "text": "当时的说法"}
    assert render(kept) == "当时的说法"
    assert render({"code": "retired.code", "params": {}}) == "retired.code"


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_registered_template_formats_with_its_own_placeholders(code):
    template = TEMPLATES[code]
    names = set(PLACEHOLDER.findall(template))
    params = {n: 1.5 for n in names}
    text = Phrase(code, params).zh
    assert "%(" not in text
