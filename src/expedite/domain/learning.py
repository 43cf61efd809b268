"""What the firm learns from a finished case: when a retrospective is owed, and catalog changes.

A handbook entry may propose a change to the service catalog. Changes are plain data applied
to the catalog's YAML document in the order they were accepted; each one *sets* something (a
step's duration, a lever by code) or adds an item only if missing, so applying the same change
twice gives the same catalog. That is what lets every load of the YAML re-apply them.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import yamltext
from .catalog import LeverKind, parse_catalog
from .catalog_fields import _duration
from .errors import CatalogError, ValidationFailed, gettext_noop
from .phrases import Msg, Phrase, Term, encode, templates


class RetroReason(enum.StrEnum):
    LATE = "late"  # delivered after the client's deadline
    INCIDENT = "incident"  # an incident was raised on the case
    LOW_SCORE = "low_score"  # the client gave a score of 2 or less


def retrospective_reasons(
    *, deadline: dt.date, delivered_on: dt.date | None, incidents: int, low_score: bool
) -> tuple[RetroReason, ...]:
    """Why this case must have a retrospective before it is closed (empty: it is optional)."""
    reasons = []
    if delivered_on is not None and delivered_on > deadline:
        reasons.append(RetroReason.LATE)
    if incidents:
        reasons.append(RetroReason.INCIDENT)
    if low_score:
        reasons.append(RetroReason.LOW_SCORE)
    return tuple(reasons)


class ChangeKind(enum.StrEnum):
    DURATION = "duration"  # a step's duration
    CHECKLIST = "checklist"  # an item added to the review checklist
    LEVER = "lever"  # a lever (compress / remote / skip) on one step, set by code


LEVER_KINDS = (LeverKind.COMPRESS, LeverKind.REMOTE, LeverKind.SKIP)


@dataclass(frozen=True)
class CatalogChange:
    kind: ChangeKind
    service: str
    step: str = ""
    duration: tuple[tuple[str, float], ...] = ()  # {"workdays": N} or {"hours": N}
    item: str = ""
    lever: tuple[tuple[str, object], ...] = ()

    def to_dict(self) -> dict:
        out: dict = {"kind": self.kind.value, "service": self.service}
        if self.step:
            out["step"] = self.step
        if self.duration:
            out["duration"] = dict(self.duration)
        if self.item:
            out["item"] = self.item
        if self.lever:
            out["lever"] = dict(self.lever)
        return out

    @classmethod
    def from_dict(cls, raw: Mapping) -> CatalogChange:
        return cls(
            kind=ChangeKind(raw["kind"]),
            service=str(raw["service"]),
            step=str(raw.get("step", "")),
            duration=tuple((raw.get("duration") or {}).items()),
            item=str(raw.get("item", "")),
            lever=tuple((raw.get("lever") or {}).items()),
        )


templates(
    {
        "revision.checklist": gettext_noop("%(service)s · 复核清单"),
        "revision.duration": gettext_noop("%(service)s · %(step)s · 时长"),
        "revision.lever": gettext_noop("%(service)s · 加急手段 %(lever)s"),
        "revision.lever_kind": gettext_noop("%(lever)s（%(kind)s）"),
        "revision.lever_to": gettext_noop("%(lever)s → %(to)s"),
    }
)
NOTHING = "—"


def duration_phrase(value: Mapping) -> Phrase | None:
    """A stored duration in words (None if it does not parse), for the reader's language."""
    try:
        return _duration(dict(value), "duration").phrase()
    except CatalogError:
        return None


def describe_duration(value: Mapping) -> str:
    phrase = duration_phrase(value)
    return phrase.zh if phrase else "—"


def _service(doc: dict, code: str) -> dict | None:
    return next((s for s in doc.get("services") or [] if s.get("code") == code), None)


def _step(service: dict, code: str) -> dict | None:
    return next((s for s in service.get("steps") or [] if s.get("code") == code), None)


def _length(value: Mapping) -> Any:
    phrase = duration_phrase(value)
    return encode(phrase) if phrase else NOTHING


def _apply(doc: dict, change: CatalogChange) -> tuple[Any, Any, Any] | None:
    """Apply one change in place; (what, before, after), or None if its target is gone.

    Each is a stored parameter (`phrases.encode`: a phrase, a catalog term or plain text),
    said in the reader's language where it is shown."""
    service = _service(doc, change.service)
    if service is None:
        return None
    name = Term(str(service.get("name_zh", change.service)))
    if change.kind == ChangeKind.CHECKLIST:
        items = service.setdefault("checklist", [])
        before = NOTHING if change.item not in items else encode(Term(change.item))
        if change.item not in items:
            items.append(change.item)
        what = Phrase("revision.checklist", {"service": name})
        return (encode(what), before, encode(Term(change.item)))
    step = _step(service, change.step)
    if step is None:
        return None
    if change.kind == ChangeKind.DURATION:
        before = _length(step.get("duration") or {})
        step["duration"] = dict(change.duration)
        step_name = Term(str(step.get("name", change.step)))
        what = Phrase("revision.duration", {"service": name, "step": step_name})
        return (encode(what), before, _length(step["duration"]))
    lever = {**dict(change.lever), "steps": [change.step]}
    levers = service.setdefault("levers", [])
    old = next((i for i, lv in enumerate(levers) if lv.get("code") == lever["code"]), None)
    before = NOTHING
    if old is None:
        levers.append(lever)
    else:
        before = encode(Term(str(levers[old].get("name", ""))))
        levers[old] = lever
    lever_name = Term(str(lever.get("name", lever["code"])))
    what = Phrase("revision.lever", {"service": name, "lever": lever_name})
    return (encode(what), before, encode(_lever_phrase(lever)))


# How a lever speeds a step up, in words (the catalog's `kind` is a code).
LEVER_KIND_WORDS = {
    "compress": gettext_noop("压缩时长"),
    "remote": gettext_noop("远程办理"),
    "skip": gettext_noop("省去该步骤"),
    "parallel": gettext_noop("同步进行"),
}


def _lever_phrase(lever: Mapping) -> Phrase:
    kind = str(lever.get("kind", ""))
    text = Phrase(
        "revision.lever_kind",
        {
            "lever": Term(str(lever.get("name", ""))),
            "kind": Msg(LEVER_KIND_WORDS[kind]) if kind in LEVER_KIND_WORDS else kind,
        },
    )
    to = duration_phrase(lever["to"]) if lever.get("to") else None
    return Phrase("revision.lever_to", {"lever": text, "to": to}) if to else text


def apply_changes(doc: Mapping, changes: Iterable[CatalogChange]) -> tuple[dict, list[tuple]]:
    """A copy of the catalog document with the changes applied in order, and the diff lines.

    A change whose service or step no longer exists (a newer YAML dropped it) is skipped.
    """
    doc = copy.deepcopy(dict(doc))
    diff = []
    for change in changes:
        line = _apply(doc, change)
        if line is not None:
            diff.append(line)
    return doc, diff


def revise_text(text: str, changes: Iterable[CatalogChange]) -> str:
    """The catalog YAML with the changes applied; unchanged text when there are none."""
    changes = list(changes)
    if not changes:
        return text
    doc, _diff = apply_changes(yamltext.load(text), changes)
    revised = yamltext.dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    return text if yamltext.load(revised) == yamltext.load(text) else revised


def check_change(text: str, change: CatalogChange) -> list[tuple]:
    """Refuse a change the catalog cannot take (unknown step, invalid duration, a lever that
    does not shorten its step…); the diff it makes when it can."""
    doc = yamltext.load(text)
    service = _service(doc, change.service)
    if service is None:
        raise ValidationFailed(
            gettext_noop("服务目录中没有“%(code)s”。"),
            field="service",
            params={"code": change.service},
        )
    if change.kind != ChangeKind.CHECKLIST and _step(service, change.step) is None:
        raise ValidationFailed(
            gettext_noop("“%(service)s”没有步骤“%(step)s”。"),
            field="step",
            params={"service": change.service, "step": change.step},
        )
    revised, diff = apply_changes(doc, [change])
    try:
        parse_catalog(yamltext.dump(revised, allow_unicode=True), source="修订后的服务目录")
    except CatalogError as exc:
        raise ValidationFailed(
            gettext_noop("修改后的服务目录无效：%(problem)s"),
            field="change",
            params={"problem": exc.message},
        ) from None
    return diff
