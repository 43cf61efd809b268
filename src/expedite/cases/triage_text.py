"""A stored triage decision in the reader's language, for pages, the API and the CLI.

The case keeps codes and parameters (`triage.triage_to_dict`); this adds the words in the
active language beside them, so programs read stable codes and people read sentences.
Decisions stored before they were phrases (Chinese text) still display as they were written.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from expedite.domain.verdict_text import CONSEQUENCE_LABELS, FLAG_LABELS, VERDICT_LABELS

from .words import catalog_labels, say, term


def verdict_label(code: str) -> str:
    label = VERDICT_LABELS.get(code or "")
    return gettext(label) if label else ""


def flag_label(code: str) -> str:
    label = FLAG_LABELS.get(code or "")
    return gettext(label) if label else ""


def _phrase(stored: Any) -> dict[str, Any]:
    if isinstance(stored, dict):
        return {"code": stored.get("code"), "params": stored.get("params", {}), "text": say(stored)}
    return {"code": None, "params": {}, "text": say(stored)}


def _lines(stored: Any) -> str:
    if isinstance(stored, str):
        return stored
    return "\n".join(say(line) for line in stored or ())


def _override(override: dict | None) -> dict | None:
    if not override:
        return override
    return {
        **override,
        "from_label": verdict_label(override.get("from", "")) or override.get("from_label", ""),
        "to_label": verdict_label(override.get("to", "")) or override.get("to_label", ""),
    }


def readable(snapshot: dict) -> dict:
    """The snapshot with every phrase as {code, params, text} and labels in the reader's
    language; the keys programs read (`verdict`, `flags[].code`, …) are unchanged."""
    if not snapshot:
        return {}
    out = dict(snapshot)
    # A manager's override changes the case's verdict; the snapshot keeps what was decided.
    verdict = (snapshot.get("override") or {}).get("to") or snapshot.get("verdict", "")
    out["verdict_label"] = verdict_label(verdict) or snapshot.get("verdict_label", "")
    out["reasons"] = [_phrase(r) for r in snapshot.get("reasons", [])]
    out["to_change"] = [_phrase(c) for c in snapshot.get("to_change", [])]
    out["flags"] = [
        {"code": f.get("code"), "text": flag_label(f.get("code", "")) or f.get("text", "")}
        for f in snapshot.get("flags", [])
    ]
    out["fired_rules"] = [
        {**r, "reason": term(r.get("reason", "")), "basis": term(r.get("basis", ""))}
        for r in snapshot.get("fired_rules", [])
    ]
    if "priority_reason" in snapshot:
        out["priority_reason"] = say(snapshot["priority_reason"])
    consequence = snapshot.get("consequence")
    if consequence in CONSEQUENCE_LABELS:
        out["consequence_label"] = gettext(CONSEQUENCE_LABELS[consequence])
    out["summary"] = _lines(snapshot.get("summary", ""))
    out["alternative_name"] = term(snapshot.get("alternative_name", ""))
    out["override"] = _override(snapshot.get("override"))
    out["history"] = [
        {
            **h,
            "verdict_label": verdict_label(h.get("verdict", "")) or h.get("verdict_label", ""),
            "override": _override(h.get("override")),
        }
        for h in snapshot.get("history", [])
    ]
    for key in ("recommended_option", "alternative"):
        if snapshot.get(key):
            out[key] = catalog_labels(snapshot[key])
    if snapshot.get("options"):
        out["options"] = catalog_labels(snapshot["options"])
    out.pop("summary_original", None)
    return out
