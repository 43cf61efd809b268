"""Material pre-review: submissions, rounds, verdicts and the one consolidated notice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.files import safe_filename, store_once
from expedite.cases.lifecycle import case_allowed, case_transition
from expedite.cases.models import Case
from expedite.catalog import load_wage_minimums
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.cases import FINAL, CaseState
from expedite.domain.catalog import Material
from expedite.domain.errors import DomainError, NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.materials import (
    check_amounts_agree,
    check_fields,
    inspect_file,
    parse_date,
)
from expedite.domain.phrases import Phrase, Term
from expedite.domain.roles import Capability
from expedite.domain.text import has_control
from expedite.workdays.selectors import firm_calendar

from .corrections import correction_notice_send
from .models import EXPIRING, INVALID, MISSING, OK, MaterialSubmission, PreReview
from .selectors import checklist, latest_finished, open_round, submissions_since

PREREVIEW_TIME = dt.timedelta(hours=2)
HOLD_REASON = gettext_noop("等待客户补正材料")
# Once the result is handed over nothing more is sent for it (rework moves the case back first).
MATERIALS_CLOSED = FINAL | {CaseState.DELIVERED, CaseState.CONFIRMED}
FIELD_MAX = 100
EXTRA_FIELDS = ("city", "on")  # what the wage-base check also needs


def _material(case: Case, item: str) -> Material:
    for m in checklist(case):
        if m.code == item:
            return m
    raise ValidationFailed(
        gettext_noop("材料清单中没有“%(item)s”。"), field="item", params={"item": item}
    )


def _clean_fields(material: Material, fields: dict | None) -> dict:
    wanted = set(material.fields) | (set(EXTRA_FIELDS) if "wage_base" in material.fields else set())
    clean = {}
    for key, value in (fields or {}).items():
        if key in wanted and value not in (None, ""):
            clean[key] = _printable(str(value).strip()[:FIELD_MAX], item=material.name)
    return clean


def _printable(text: str, *, item: str) -> str:
    """Refuses control characters: they mean nothing on a form, and PostgreSQL's JSON cannot
    hold a NUL byte (a 500 where the client should read what to fix)."""
    if has_control(text):
        raise ValidationFailed(
            gettext_noop("“%(item)s”填写的内容含有不可见的控制字符，请删除后重试。"),
            field="fields",
            params={"item": item},
        )
    return text


def _agreement(case: Case, material: Material, fields: dict) -> list:
    """Amounts of this material and the ones the catalog ties it to, as last submitted."""
    if "amount" not in material.fields or not fields.get("amount"):
        return []
    partners = set(material.agree_with) | {
        m.code for m in checklist(case) if material.code in m.agree_with
    }
    names = {m.code: m.name for m in checklist(case)}
    amounts = {material.name: fields["amount"]}
    for code in sorted(partners):
        latest = case.material_submissions.filter(item=code).order_by("-version").first()
        if latest is not None and latest.fields.get("amount"):
            amounts[names.get(code, code)] = latest.fields["amount"]
    return check_amounts_agree(amounts)


@transaction.atomic
def submission_add(
    *,
    case: Case,
    item: str,
    name: str,
    content: bytes,
    now: dt.datetime,
    fields: dict | None = None,
    actor=None,
    contact: str = "",
) -> MaterialSubmission:
    """Keep a new version of a checklist item, with its automatic findings.

    `actor` is a staff user; a client uploads with `actor=None` and the verified contact's
    name (the portal view checks the verification). Starts a pre-review round when none is
    open, and returns the case from on_hold once everything the notice listed is resubmitted.
    """
    if actor is not None:
        if not user_can(actor, Capability.MATERIAL_SUBMIT):
            raise NotAllowed(_("您的角色无权上传材料。"))
    elif not contact:
        raise NotAllowed(_("请先验证身份，再上传材料。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if CaseState(case.state) in FINAL:
        raise ValidationFailed(_("该加急单已结束，不能再上传材料。"), field="file")
    if CaseState(case.state) in MATERIALS_CLOSED:
        raise ValidationFailed(_("办理结果已交付，不能再上传材料。"), field="file")
    material = _material(case, item)
    seen = {
        s.sha256: f"{s.name}（{s.item} v{s.version}）"
        for s in case.material_submissions.only("sha256", "name", "item", "version")
    }
    facts, findings = inspect_file(
        content,
        name=name,
        accepted=material.accepted,
        max_bytes=settings.EXPEDITE_MAX_UPLOAD_BYTES,
        seen=seen,
    )
    refused = next((f for f in findings if f.refuse), None)
    if refused is not None:
        raise ValidationFailed(refused.message, field="file", params=refused.params)
    fields = _clean_fields(material, fields)
    findings += check_fields(
        fields,
        wanted=material.fields,
        today=now.astimezone(firm_calendar().tz).date(),
        within_days=material.expires_within_days,
        expected_uscc=case.client.uscc,
        wage_table=load_wage_minimums() if "wage_base" in material.fields else (),
    )
    findings += _agreement(case, material, fields)
    version = (
        case.material_submissions.filter(item=item).aggregate(n=Max("version"))["n"] or 0
    ) + 1
    submission = MaterialSubmission(
        case=case,
        item=item,
        version=version,
        name=safe_filename(name),
        sha256=facts.sha256,
        size=facts.size,
        content_type=facts.content_type,
        pages=facts.pages,
        uploaded_by=actor,
        contact="" if actor is not None else contact[:100],
        uploaded_at=now,
        fields=fields,
        findings=[f.as_json() for f in findings],
    )
    # Content-addressed and written once the transaction commits: a refused upload leaves
    # no file behind, and the same bytes are stored once however often they are sent.
    submission.file.name = f"materials/{facts.sha256[:2]}/{facts.sha256}.{facts.kind}"
    submission.save()
    transaction.on_commit(lambda: store_once(submission.file.name, content))
    audit_record(
        kind=AuditKind.MATERIAL_SUBMITTED,
        actor=actor,
        actor_kind=None if actor is not None else ActorKind.CLIENT,
        actor_label="" if actor is not None else "client",
        case=case,
        payload={
            "submission": submission.pk,
            "item": item,
            "version": version,
            "name": submission.name,
            "sha256": facts.sha256,
            "size": facts.size,
            "pages": facts.pages,
            "contact": submission.contact,
            "findings": [f.code for f in findings],
        },
    )
    if open_round(case) is None:
        _start(case=case, now=now, actor=actor, contact=contact, trigger="submission")
    _resume_if_corrected(case, now)
    return submission


def _start(*, case: Case, now: dt.datetime, actor, contact: str, trigger: str) -> PreReview:
    number = (case.prereviews.aggregate(n=Max("round"))["n"] or 0) + 1
    review = PreReview.objects.create(
        case=case,
        round=number,
        started_at=now,
        due_at=firm_calendar().add_working_time(now, PREREVIEW_TIME),
    )
    audit_record(
        kind=AuditKind.PREREVIEW_STARTED,
        actor=actor,
        actor_kind=None if actor is not None else ActorKind.CLIENT,
        actor_label="" if actor is not None else "client",
        case=case,
        payload={
            "round": number,
            "trigger": trigger,
            "due_at": review.due_at.isoformat(),
            "contact": "" if actor is not None else contact,
        },
    )
    return review


@transaction.atomic
def prereview_start(*, case: Case, now: dt.datetime, actor=None, contact: str = "") -> PreReview:
    """“材料已提交齐”: start a round now (the open one, if any, keeps its own clock)."""
    if actor is not None:
        if not user_can(actor, Capability.MATERIAL_SUBMIT):
            raise NotAllowed(_("您的角色无权提交材料。"))
    elif not contact:
        raise NotAllowed(_("请先验证身份，再确认材料已提交齐。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if CaseState(case.state) in FINAL:
        raise ValidationFailed(_("该加急单已结束。"))
    if CaseState(case.state) in MATERIALS_CLOSED:
        raise ValidationFailed(_("办理结果已交付，无需再预审材料。"))
    if not case.material_submissions.exists():
        raise ValidationFailed(_("还没有上传任何材料。"))
    current = open_round(case)
    if current is not None:
        return current
    return _start(case=case, now=now, actor=actor, contact=contact, trigger="complete")


def _verdicts(case: Case, raw: dict) -> dict[str, dict]:
    materials = checklist(case)
    unknown = set(raw) - {m.code for m in materials}
    if unknown:
        raise ValidationFailed(
            gettext_noop("材料清单中没有：%(items)s。"),
            field="verdicts",
            params={"items": "、".join(sorted(unknown))},
        )
    missing = [m.name for m in materials if not (raw.get(m.code) or {}).get("verdict")]
    if missing:
        raise ValidationFailed(
            gettext_noop("每一项材料都要给出预审结论，尚未填写：%(items)s。"),
            field="verdicts",
            params={"items": "、".join(missing)},
        )
    clean: dict[str, dict] = {}
    for m in materials:
        entry = raw[m.code]
        verdict = entry.get("verdict")
        reason = _printable(" ".join(str(entry.get("reason") or "").split())[:300], item=m.name)
        if verdict not in (OK, MISSING, INVALID, EXPIRING):
            raise ValidationFailed(
                gettext_noop("“%(item)s”的结论无效。"), field="verdicts", params={"item": m.name}
            )
        row = {"verdict": verdict, "reason": reason, "name": m.name, "counts": m.required}
        if verdict == INVALID and not reason:
            raise ValidationFailed(
                gettext_noop("“%(item)s”判为不合格时请写明原因。"),
                field="verdicts",
                params={"item": m.name},
            )
        if verdict == EXPIRING:
            until = parse_date(entry.get("date"))
            if until is None:
                raise ValidationFailed(
                    gettext_noop("“%(item)s”即将过期时请填写到期日期。"),
                    field="verdicts",
                    params={"item": m.name},
                )
            row["date"] = until.isoformat()
        if verdict != MISSING:
            row["counts"] = True  # an optional item sent but wrong must still be put right
        clean[m.code] = row
    return clean


def notice_lines(case: Case, verdicts: dict[str, dict]) -> list[dict]:
    """一次性告知: everything to fix in one message the liaison can send as it is; its lines
    as stored phrases (none when nothing is to fix)."""
    problems = [v for v in verdicts.values() if v["verdict"] != OK and v.get("counts", True)]
    if not problems:
        return []
    title = {
        "client": case.client.name,
        "service": Term(case.service.name_zh),
        "ref": case.reference,
    }
    lines = [
        Phrase("notice.title", title),
        Phrase("notice.intro", {"n": len(problems)}),
    ]
    for n, v in enumerate(problems, start=1):
        if v["verdict"] == MISSING:
            what = Phrase("notice.missing")
        elif v["verdict"] == INVALID:
            what = Phrase("notice.invalid", {"reason": v["reason"]})
        elif v["reason"]:
            what = Phrase("notice.expiring_why", {"date": v["date"], "reason": v["reason"]})
        else:
            what = Phrase("notice.expiring", {"date": v["date"]})
        lines.append(Phrase("notice.item", {"n": n, "name": Term(v["name"]), "what": what}))
    lines.append(Phrase("notice.rest_ok"))
    return [line.as_json() for line in lines]


@transaction.atomic
def prereview_record(*, actor, case: Case, verdicts: dict, now: dt.datetime) -> PreReview:
    """The reviewer's verdict on every checklist item; anything wrong puts the case on hold
    and sends the client the 一次性告知 (`corrections.correction_notice_send`)."""
    if not user_can(actor, Capability.MATERIAL_PREREVIEW):
        raise NotAllowed(_("您的角色无权进行材料预审。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    review = open_round(case)
    if review is None:
        raise ValidationFailed(_("没有待完成的预审：客户上传材料或确认已提交齐后开始新一轮。"))
    review = PreReview.objects.select_for_update(no_key=True).get(pk=review.pk)
    clean = _verdicts(case, verdicts)
    previous = latest_finished(case)
    held_by_us = previous is not None and previous.holding and case.state == CaseState.ON_HOLD
    review.reviewer = actor
    review.finished_at = now
    review.verdicts = clean
    review.notice = notice_lines(case, clean) or ""
    if previous is not None and previous.holding:
        previous.holding = False
        previous.save(update_fields=["holding"])
    review.holding = bool(review.notice) and (
        held_by_us or CaseState.ON_HOLD.value in case_allowed(case)
    )
    review.save()
    audit_record(
        kind=AuditKind.PREREVIEW_RECORDED,
        actor=actor,
        case=case,
        payload={
            "round": review.round,
            "verdicts": {
                k: {"verdict": v["verdict"], "reason": v["reason"]} for k, v in clean.items()
            },
            "late": now > review.due_at,
            "notice": review.notice,
        },
    )
    if review.holding and not held_by_us:
        case_transition(
            actor=actor, case=case, to=CaseState.ON_HOLD.value, now=now, reason=_(HOLD_REASON)
        )
    elif not review.notice and held_by_us:
        _resume(case, actor, now)
    if review.notice:
        correction_notice_send(review=review, now=now)
    return review


def _resume(case: Case, actor, now: dt.datetime) -> None:
    back = next(s for s in case_allowed(case) if s != CaseState.CANCELLED.value)
    case_transition(actor=actor, case=case, to=back, now=now, reason=_("客户已补正材料"))


def _resume_if_corrected(case: Case, now: dt.datetime) -> None:
    """Once every item the notice listed has a newer version, the case goes back to work.

    The move is recorded under the reviewer who put the case on hold: the lifecycle moves
    cases for staff, and it is their hold being lifted. Should they no longer be allowed to
    move cases, the case stays on hold for a colleague to move it; the new round runs anyway.
    """
    previous = latest_finished(case)
    if previous is None or not previous.holding or case.state != CaseState.ON_HOLD:
        return
    resubmitted = set(submissions_since(case, previous.finished_at).values_list("item", flat=True))
    if not set(previous.problems) <= resubmitted:
        return
    previous.holding = False
    previous.save(update_fields=["holding"])
    try:
        with transaction.atomic():
            _resume(case, previous.reviewer, now)
    except DomainError:
        pass
