"""The catalog's English: every text a reader sees must be in its `english` section.

Pages show catalog text in the reader's language (`expedite.cases.words.term`); a text the
section lacks is shown in Chinese on an English page. `missing_english` lists such texts, each
with where it first occurs; `parse_catalog(..., require_english=True)` refuses the catalog.

The check applies to a catalog file as a person wrote it (`expedite catalog check|load`), not
to every strict parse: changes accepted from the optimization handbook add Chinese text (a
checklist item, a lever) to the catalog in force, and must not make it unloadable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .catalog_fields import Material, StepTemplate
from .errors import CatalogError

if TYPE_CHECKING:
    from .catalog import Catalog

SHOWN = 3  # missing texts named in the error beyond the first


def _step_texts(step: StepTemplate, where: str) -> Iterator[tuple[str, str]]:
    where = f"{where}[{step.code}]"
    yield f"{where}.name", step.name
    yield f"{where}.track", step.track
    yield f"{where}.milestone", step.milestone
    yield f"{where}.skill", step.skill
    for index, window in enumerate(step.windows):
        yield f"{where}.windows[{index}].basis", window.basis


def _material_texts(material: Material, where: str) -> Iterator[tuple[str, str]]:
    where = f"{where}.materials[{material.code}]"
    yield f"{where}.name", material.name
    yield f"{where}.validity", material.validity
    yield f"{where}.source", material.source


def displayed_texts(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """(where, text) for every catalog text a page can show, in file order; may repeat."""
    for index, skill in enumerate(catalog.skills):
        yield f"skills[{index}]", skill
    for code, label in catalog.preconditions:
        yield f"preconditions[{code}]", label
    for service in catalog.services:
        at = f"services[{service.code}]"
        yield f"{at}.name_zh", service.name_zh
        yield f"{at}.description", service.description
        for index, item in enumerate(service.milestones):
            yield f"{at}.milestones[{index}]", item
        for key in ("checklist", "submission_checklist"):
            for index, item in enumerate(getattr(service, key)):
                yield f"{at}.{key}[{index}]", item
        for p in service.prerequisites:
            pwhere = f"{at}.prerequisites[{p.code}]"
            yield f"{pwhere}.name", p.name
            yield f"{pwhere}.basis", p.basis
            for step in p.remedy:
                yield from _step_texts(step, f"{pwhere}.remedy")
        for material in service.materials:
            yield from _material_texts(material, at)
        for step in service.steps:
            yield from _step_texts(step, f"{at}.steps")
        for lever in service.levers:
            yield f"{at}.levers[{lever.code}].name", lever.name
            yield f"{at}.levers[{lever.code}].reason", lever.reason
        for a in service.authorities:
            where = f"{at}.authorities[{a.track}]"
            yield f"{where}.track", a.track
            yield f"{where}.note", a.note
            for key, limit in (("legal_limit", a.legal), ("committed_limit", a.committed)):
                if limit is not None:
                    yield f"{where}.{key}.starts", limit.starts
                    yield f"{where}.{key}.basis", limit.basis
    for fact, question in catalog.facts:
        yield f"facts[{fact}]", question
    for rule in catalog.rules:
        at = f"rules[{rule.code}]"
        yield f"{at}.reason", rule.reason
        yield f"{at}.basis", rule.basis
        yield f"{at}.alternative", rule.alternative
        for step in rule.alternative_steps:
            yield from _step_texts(step, f"{at}.alternative_steps")


def missing_english(catalog: Catalog) -> list[tuple[str, str]]:
    """(where, text) for each displayed text without English, once per text, in file order."""
    missing: dict[str, str] = {}
    for where, text in displayed_texts(catalog):
        if text and text not in missing and not catalog.in_english(text):
            missing[text] = where
    return [(where, text) for text, where in missing.items()]


def check_english(catalog: Catalog, source: str) -> None:
    """Refuse a catalog with displayed text lacking English, naming the first few."""
    missing = missing_english(catalog)
    if not missing:
        return
    where, text = missing[0]
    message = f"{source}: {where}: 缺少英文“{text}”，请在 english 中补上。"
    if len(missing) > 1:
        others = "；".join(f"{w} “{t}”" for w, t in missing[1 : 1 + SHOWN])
        more = "等" if len(missing) > 1 + SHOWN else ""
        message += f"另有 {len(missing) - 1} 处缺少英文：{others}{more}。"
    raise CatalogError(message, field="english")
