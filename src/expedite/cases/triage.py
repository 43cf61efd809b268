"""Triage in the product: run the domain triage for a case, store it, override it, explain it."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.audit.services import audit_record
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.phrases import Msg, Phrase, Term
from expedite.domain.roles import Capability
from expedite.domain.triage import (
    DERIVED_FACTS,
    Consequence,
    Intake,
    PriorityWeights,
    Triage,
    Verdict,
    client_summary,
    triage,
)
from expedite.domain.verdict_text import VERDICT_LABELS
from expedite.workdays.selectors import firm_calendar

from .files import safe_filename, store_once
from .models import VALUE_TIER_CHOICES, Case, CaseDocument
from .plans import catalog_for, check_facts, current_catalog, option_to_dict, service_definition
from .services import check_deadline
from .words import term

NOTICE = "deadline_notice"
# The tiers' labels as messages (Chinese msgids), so a stored priority reason translates.
TIER_LABELS = {
    "standard": gettext_noop("普通"),
    "key": gettext_noop("重点客户"),
    "strategic": gettext_noop("战略客户"),
}
ALLOWED_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}


@dataclass(frozen=True, slots=True)
class TriageInput:
    deadline: dt.date
    written_notice: bool
    stage: str = ""
    materials_complete: bool = True
    materials_expected: dt.date | None = None
    consequence: str = Consequence.COMFORT_ONLY.value
    facts: dict[str, Any] = field(default_factory=dict)
    preconditions: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "deadline": self.deadline.isoformat(),
            "written_notice": self.written_notice,
            "stage": self.stage,
            "materials_complete": self.materials_complete,
            "materials_expected": self.materials_expected.isoformat()
            if self.materials_expected
            else None,
            "consequence": self.consequence,
            "facts": self.facts,
            "preconditions": list(self.preconditions),
            "flags": list(self.flags),
        }


def facts_for(service_code: str, catalog=None) -> list[tuple[str, str, str]]:
    """The questions the rules of a service need answered: (fact, label, "bool" or "number")."""
    catalog = catalog or current_catalog()
    out: dict[str, tuple[str, str, str]] = {}
    for rule in catalog.rules:
        if not rule.applies_to(service_code):
            continue
        for c in rule.when:
            for name in c.needs():
                if name in DERIVED_FACTS:
                    continue  # the triage works it out from the plan
                kind = "bool" if c.op in ("is_true", "is_false") else "number"
                out.setdefault(name, (name, catalog.fact_label(name), kind))
    return list(out.values())


# How each kind of answer is written: JSON type, and the value the command line takes.
FACT_ANSWER = {"bool": ("boolean", "true|false"), "number": ("number", gettext_noop("<数字>"))}


def fact_questions(service_code: str, catalog=None) -> list[dict]:
    """The questions the rules of a service ask, for programs (the CLI's --json, the API):
    `code` (the fact's name), `question`, `type` ("boolean" or "number", a number being ≥ 0)
    and `expected` (what to write: `true|false` or `<数字>`).

    The catalog gives only the question; the type is read from how the rules compare the fact
    (`is_true`/`is_false`: yes or no; any other comparison: a number)."""
    out = []
    for name, label, kind in facts_for(service_code, catalog):
        json_type, expected = FACT_ANSWER[kind]
        out.append(
            {"code": name, "question": term(label), "type": json_type, "expected": _(expected)}
        )
    return out


class FactsUnanswered(ValidationFailed):
    """The rules of the service need facts nobody answered; nothing was decided.

    `questions` lists every one of them at once, as `fact_questions` describes them."""

    def __init__(self, questions: list[dict]) -> None:
        super().__init__(
            gettext_noop("还需要回答：%(questions)s。"),
            field="facts",
            params={"questions": "、".join(q["question"] for q in questions)},
        )
        self.questions = questions


def run_triage(
    *, service_code: str, data: TriageInput, now: dt.datetime, value_tier: str, catalog=None
) -> Triage:
    """The domain triage with the catalog, calendar and weights in force; refuses to guess."""
    catalog = catalog or current_catalog()
    service = service_definition(service_code, catalog)
    try:
        consequence = Consequence(data.consequence)
    except ValueError:
        raise ValidationFailed(_("请选择逾期后果。"), field="consequence") from None
    if not data.materials_complete and data.materials_expected is None:
        raise ValidationFailed(
            _("材料今天交不齐时，请填写预计交齐的日期。"), field="materials_expected"
        )
    today = timezone.localtime(now).date()
    check_deadline(data.deadline, today=today)
    if data.materials_expected is not None and data.materials_expected < today:
        raise ValidationFailed(_("材料预计交齐的日期不能早于今天。"), field="materials_expected")
    if value_tier not in dict(VALUE_TIER_CHOICES):
        raise ValidationFailed(_("客户价值等级无效。"), field="value_tier")
    check_facts(service, catalog, preconditions=data.preconditions, flags=data.flags)
    _check_fact_values(service.code, catalog, data.facts)
    cal = firm_calendar()
    expected = None
    if data.materials_expected is not None:
        first = cal.hours.windows[0][0]
        expected = dt.datetime.combine(data.materials_expected, first, tzinfo=cal.tz)
    intake = Intake(
        deadline=data.deadline,
        written_notice=data.written_notice,
        stage=data.stage,
        materials_complete=data.materials_complete,
        materials_expected=expected,
        consequence=consequence,
        facts=data.facts,
        preconditions=frozenset(data.preconditions),
        flags=frozenset(data.flags),
    )
    weights = PriorityWeights(*settings.EXPEDITE_PRIORITY_WEIGHTS)
    result = triage(
        service,
        intake,
        catalog=catalog,
        calendar=cal,
        now=now,
        value_tier=value_tier,
        weights=weights,
        lookup=lambda code: service_definition(code, catalog),
    )
    if result.undecided:
        needed = {f for _code, facts in result.undecided for f in facts}
        raise FactsUnanswered(
            [q for q in fact_questions(service.code, catalog) if q["code"] in needed]
        )
    return result


def _chosen_alternative(t: Triage):
    alt = t.alternative
    if alt is None:
        return None
    return alt.standard if alt.standard.meets_deadline else (alt.recommended or alt.fastest)


def _check_fact_values(service_code: str, catalog, facts: dict) -> None:
    """Each answer of the kind its question asks: yes/no, or a finite number ≥ 0."""
    kinds = {name: kind for name, _label, kind in facts_for(service_code, catalog)}
    for name, value in facts.items():
        if name not in kinds:
            raise ValidationFailed(
                gettext_noop("“%(fact)s”不是本事项需要回答的问题。"),
                field="facts",
                params={"fact": name},
            )
        label = catalog.fact_label(name)
        if kinds[name] == "bool" and not isinstance(value, bool):
            raise ValidationFailed(
                gettext_noop("“%(label)s”请回答是或否。"), field="facts", params={"label": label}
            )
        if kinds[name] == "number" and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ValidationFailed(
                gettext_noop("“%(label)s”应为不小于 0 的数字。"),
                field="facts",
                params={"label": label},
            )


def triage_to_dict(
    t: Triage,
    *,
    client: str,
    service_name: str,
    deadline: dt.date,
    tier: str,
    consequence: Consequence,
    catalog=None,
) -> dict:
    """The decision as stored on the case: codes and parameters (`domain.phrases`), which
    `triage_text.readable` renders in the reader's language for pages, the API and the CLI."""
    service = service_definition(t.service, catalog)
    materials = {m.code: m.name for m in service.materials}
    must_do = []
    if any(f.value == "no_written_evidence" for f in t.flags):
        must_do.append(Phrase("must.written_notice"))
    for f in t.fired:
        if f.rule.missing_material:
            name = materials.get(f.rule.missing_material, f.rule.missing_material)
            must_do.append(Phrase("must.material", {"material": Term(name)}))
    alternative = _chosen_alternative(t)
    p = t.priority
    return {
        "verdict": t.verdict.value,
        "reasons": [r.as_json() for r in t.reasons],
        "flags": [{"code": f.value} for f in t.flags],
        "fired_rules": [
            {
                "code": f.rule.code,
                "kind": f.rule.kind.value,
                "reason": f.rule.reason,
                "basis": f.rule.basis,
                "why": f.why,
            }
            for f in t.fired
        ],
        "recommended_option": option_to_dict(t.chosen),
        # What the client may choose from (the firm records the choice: cases.choice).
        "options": {
            o.key: option_to_dict(o)
            for o in (t.options.standard, t.options.recommended, t.options.fastest)
            if o is not None
        },
        "alternative": option_to_dict(alternative) if alternative else None,
        "alternative_name": t.alternative_name,
        "to_change": [c.as_json() for c in t.to_change],
        "latest_start": t.latest_start.isoformat() if t.latest_start else None,
        "priority": {
            "score": p.score,
            "urgency": p.urgency,
            "impact": p.impact,
            "value": p.value,
            "slack_workdays": p.slack_workdays,
        },
        "priority_reason": p.reason(consequence, TIER_LABELS.get(tier, tier)).as_json(),
        "consequence": consequence.value,
        "summary": [
            line.as_json()
            for line in client_summary(
                t, client=client, service_name=service_name, deadline=deadline, must_do=must_do
            )
        ],
    }


def _require(actor, capability: Capability, message: str) -> None:
    if not user_can(actor, capability):
        raise NotAllowed(message)


def _history_entry(triage: dict) -> dict:
    keep = ("verdict", "decided_by", "decided_at_local", "override")
    return {k: triage[k] for k in keep if k in triage}


@transaction.atomic
def case_triage(*, actor, case: Case, data: TriageInput, now: dt.datetime) -> Case:
    """Triage a case: decide, store the decision with who and when, and move draft → triaged.

    Triaging again keeps the earlier decisions in the history; once a case was refused on a
    red line, only a manager may triage it again (e.g. when the facts were wrong).
    """
    _require(actor, Capability.TRIAGE, _("您的角色无权研判加急单。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.state not in (CaseState.DRAFT, CaseState.TRIAGED):
        raise ValidationFailed(
            _("加急单当前状态为“%(state)s”，不能再研判。") % {"state": case.get_state_display()},
            field="state",
        )
    if case.triage.get("verdict") == Verdict.REFUSED and not user_can(
        actor, Capability.OVERRIDE_VERDICT
    ):
        raise NotAllowed(_("该加急单已因合规红线不能办理；如事实有误，请经理重新研判。"))
    catalog = catalog_for(case)
    result = run_triage(
        service_code=case.service.code,
        data=data,
        now=now,
        value_tier=case.client.value_tier,
        catalog=catalog,
    )
    snapshot = triage_to_dict(
        result,
        client=case.client.name,
        service_name=case.service.name_zh,
        deadline=data.deadline,
        tier=case.client.value_tier,
        consequence=Consequence(data.consequence),
        catalog=catalog,
    )
    snapshot["decided_by"] = staff_display_name(actor)
    snapshot["decided_at"] = now.isoformat()
    snapshot["decided_at_local"] = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    previous = case.triage.get("history", [])
    if case.triage:
        previous = [*previous, _history_entry(case.triage)]
    snapshot["history"] = previous
    case.intake = {**case.intake, "staff": data.as_json()}
    case.triage = snapshot
    case.verdict = result.verdict.value
    case.priority = result.priority.score
    case.requested_deadline = data.deadline
    case.state = CaseState.TRIAGED
    case.save(
        update_fields=[
            "intake",
            "triage",
            "verdict",
            "priority",
            "requested_deadline",
            "state",
            "updated_at",
        ]
    )
    audit_record(
        kind=AuditKind.CASE_TRIAGED,
        actor=actor,
        case=case,
        payload={
            "verdict": result.verdict.value,
            "previous": previous[-1]["verdict"] if previous else None,
            "fired_rules": [f.rule.code for f in result.fired],
            "priority": result.priority.score,
            "intake": data.as_json(),
        },
    )
    return case


@transaction.atomic
def case_verdict_override(
    *, actor, case: Case, verdict: str, reason: str, now: dt.datetime
) -> Case:
    _require(actor, Capability.OVERRIDE_VERDICT, _("只有经理可以改判。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if not case.verdict:
        raise ValidationFailed(_("请先研判，再改判。"), field="verdict")
    if case.verdict == Verdict.REFUSED:
        raise ValidationFailed(_("合规红线不能改判。"), field="verdict")
    try:
        new = Verdict(verdict)
    except ValueError:
        raise ValidationFailed(_("请选择新的结论。"), field="verdict") from None
    if new == Verdict.REFUSED:
        raise ValidationFailed(_("不能改判为合规红线；红线只由规则认定。"), field="verdict")
    if new.value == case.verdict:
        raise ValidationFailed(_("新结论与现有结论相同。"), field="verdict")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationFailed(_("请写明改判理由（至少 5 个字）。"), field="reason")
    previous = case.verdict
    override = {
        "from": previous,
        "to": new.value,
        "reason": reason[:1000],
        "by": staff_display_name(actor),
        "at": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    }
    history = list(case.triage.get("history", []))
    if case.triage.get("override"):
        history.append(_history_entry(case.triage))
    original = case.triage.get("summary_original", case.triage.get("summary", ""))
    note = Phrase(
        "summary.override",
        {
            "to": Msg(VERDICT_LABELS[new.value]),
            "from": Msg(VERDICT_LABELS[previous]),
            "reason": override["reason"],
        },
    ).as_json()
    # Decisions stored before they were phrases hold the summary as one text.
    lines = [original] if isinstance(original, str) else list(original)
    case.triage = {
        **case.triage,
        "override": override,
        "history": history,
        "summary_original": original,
        "summary": [note, *lines],
    }
    case.verdict = new.value
    case.save(update_fields=["triage", "verdict", "updated_at"])
    audit_record(
        kind=AuditKind.CASE_VERDICT_OVERRIDDEN,
        actor=actor,
        case=case,
        payload={"from": previous, "to": new.value, "reason": reason[:1000]},
    )
    return case


@transaction.atomic
def case_document_add(
    *,
    actor,
    case: Case,
    kind: str,
    name: str,
    content: bytes,
    client: bool = False,
    client_visible: bool = False,
    event: AuditKind = AuditKind.CASE_FILE_ADDED,
) -> CaseDocument:
    """Keep a file on a case with its SHA-256; pdf/jpg/png up to the configured size.

    `client_visible` shares it on the portal at once (a result file); `event` names what the
    addition was, for the audit record."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValidationFailed(_("只接受 PDF、JPG、PNG 文件。"), field="file")
    if len(content) > settings.EXPEDITE_MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("文件不能超过 %(mb)d MB。")
            % {"mb": settings.EXPEDITE_MAX_UPLOAD_BYTES // 1024 // 1024},
            field="file",
        )
    if not content:
        raise ValidationFailed(_("文件是空的。"), field="file")
    digest = hashlib.sha256(content).hexdigest()
    doc = CaseDocument(
        case=case,
        kind=kind,
        name=safe_filename(name),
        sha256=digest,
        size=len(content),
        uploaded_by=None if client else actor,
        client_visible=client_visible,
    )
    # Content-addressed, and written only once the transaction commits: a refused action
    # leaves no file behind, and the same file uploaded twice is stored once.
    doc.file.name = f"cases/{digest[:2]}/{digest}{suffix}"
    doc.save()
    transaction.on_commit(lambda: store_once(doc.file.name, content))
    audit_record(
        kind=event,
        actor=None if client else actor,
        actor_kind=ActorKind.CLIENT if client else None,
        actor_label="client" if client else "",
        case=case,
        payload={
            "document": doc.pk,
            "kind": kind,
            "name": doc.name,
            "sha256": digest,
            "size": len(content),
            **({"client_visible": True} if client_visible else {}),
        },
    )
    return doc


@transaction.atomic
def case_intake_answer(*, case: Case, answers: dict, now: dt.datetime) -> Case:
    """The client's own answers to the three questions, from the portal."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    case.intake = {**case.intake, "client": {**answers, "answered_at": now.isoformat()}}
    case.save(update_fields=["intake", "updated_at"])
    audit_record(
        kind=AuditKind.CASE_INTAKE_ANSWERED,
        actor_kind=ActorKind.CLIENT,
        actor_label="client",
        case=case,
        payload=answers,
    )
    return case
