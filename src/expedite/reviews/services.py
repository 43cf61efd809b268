"""The double review (双重复核): the handler checks first, then a supervisor who is not them.

Each call is one transaction with one audit event. The four-eyes rule lives here, so every
path (page, API, command) is refused alike when the reviewer is the handler or uploaded a
result file under review. A supervisor's pass is what shares the result files with the
client; a change to them after a review of the round reopens it (`review_reopen`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.audit.services import audit_record
from expedite.cases.lifecycle import STATE_NAMES, case_transition
from expedite.cases.models import Case, CaseDocument
from expedite.domain.audit import AuditKind
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.phrases import Phrase
from expedite.domain.roles import Capability, Role
from expedite.domain.text import clean_text
from expedite.notify.handoffs import hand_off, hand_off_done, staff_with
from expedite.notify.notices import case_liaisons, tell_staff

from .messages import problems
from .models import SELF_CHECK, SUPERVISOR, Review, ReviewFinding
from .selectors import (
    case_handlers,
    files_reviewed,
    result_documents,
    review_checklist,
    round_status,
)

NOTE_MAX = 500


@dataclass(frozen=True)
class FindingInput:
    item: str
    description: str
    correction: str


def _lock_in_review(case: Case) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("service")
        .get(pk=case.pk)
    )
    if case.state != CaseState.REVIEW.value:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，只有“复核中”的加急单可以复核。"),
            field="state",
            params={"state": str(STATE_NAMES.get(case.state, case.state))},
        )
    return case


def _answer(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if raw in ("ok", "true", "1", 1):
        return True
    if raw in ("problem", "false", "0", 0):
        return False
    return None


def clean_results(checklist: tuple[str, ...], results: Iterable[Mapping]) -> list[dict]:
    """Every checklist item answered once, in checklist order; a problem carries a note."""
    answers: dict[str, dict] = {}
    for raw in results:
        item = " ".join(str(raw.get("item") or "").split())
        if item not in checklist:
            raise ValidationFailed(
                gettext_noop("“%(item)s”不在本事项的复核清单中。"),
                field="results",
                params={"item": item[:100]},
            )
        if item in answers:
            raise ValidationFailed(
                gettext_noop("检查项“%(item)s”回答了两次。"), field="results", params={"item": item}
            )
        ok = _answer(raw.get("ok"))
        if ok is None:
            continue  # left unanswered: named below with the others
        note = clean_text(
            raw.get("note"),
            field="results",
            label=gettext_noop("问题说明"),
            max_length=NOTE_MAX,
            required=False,
        )
        if not ok and not note:
            raise ValidationFailed(
                gettext_noop("检查项“%(item)s”有问题，请写明问题所在。"),
                field="results",
                params={"item": item},
            )
        answers[item] = {"item": item, "ok": ok, "note": note}
    missing = [item for item in checklist if item not in answers]
    if missing:
        raise ValidationFailed(
            gettext_noop("复核清单须逐项作答，尚未回答：%(items)s。"),
            field="results",
            params={"items": "、".join(missing)},
        )
    return [answers[item] for item in checklist]


def _clean_findings(results: list[dict], findings: Iterable) -> list[FindingInput]:
    problems = [r["item"] for r in results if not r["ok"]]
    cleaned = []
    for raw in findings:
        f = raw if isinstance(raw, FindingInput) else FindingInput(**_finding_fields(raw))
        item = " ".join(f.item.split())
        if item not in problems:
            raise ValidationFailed(
                gettext_noop("发现的错误须对应标为“有问题”的检查项，“%(item)s”不是。"),
                field="findings",
                params={"item": item[:100]},
            )
        description = clean_text(
            f.description, field="findings", label=gettext_noop("发现的问题"), max_length=NOTE_MAX
        )
        correction = clean_text(
            f.correction, field="findings", label=gettext_noop("更正"), max_length=NOTE_MAX
        )
        cleaned.append(FindingInput(item=item, description=description, correction=correction))
    unrecorded = [p for p in problems if p not in {f.item for f in cleaned}]
    if unrecorded:
        raise ValidationFailed(
            gettext_noop("请为每个有问题的检查项记录发现的错误及更正：%(items)s。"),
            field="findings",
            params={"items": "、".join(unrecorded)},
        )
    return cleaned


def _finding_fields(raw) -> dict:
    get = raw.get if isinstance(raw, Mapping) else (lambda k, d="": getattr(raw, k, d))
    return {k: str(get(k, "") or "") for k in ("item", "description", "correction")}


def _payload(review: Review, **extra) -> dict:
    return {
        "review": review.pk,
        "round": review.round,
        "passed": review.passed,
        "problems": [{"item": r["item"], "note": r["note"]} for r in review.problems],
        **extra,
    }


@transaction.atomic
def self_check(*, actor, case: Case, results: Iterable[Mapping], now: dt.datetime) -> Review:
    """The handler goes through the checklist; whoever does it is the handler of the round."""
    if not user_can(actor, Capability.SELF_CHECK):
        raise NotAllowed(_("您的角色无权进行经办人自查。"))
    case = _lock_in_review(case)
    status = round_status(case)
    if status.self_check is not None:
        raise ValidationFailed(
            gettext_noop("第 %(round)s 轮自查已通过，等待主管复核。"),
            field="stage",
            params={"round": status.round},
        )
    cleaned = clean_results(review_checklist(case), results)
    review = Review.objects.create(
        case=case,
        stage=SELF_CHECK,
        round=status.round,
        reviewer=actor,
        results=cleaned,
        files=files_reviewed(case),
        passed=all(r["ok"] for r in cleaned),
        created_at=now,
    )
    audit_record(
        kind=AuditKind.REVIEW_SELF_CHECKED,
        actor=actor,
        case=case,
        payload=_payload(review, files=_files_payload(review)),
    )
    if review.passed:
        _ask_for_review(case, review, actor=actor, now=now)
    return review


def _names(case: Case) -> dict:
    return {"ref": case.reference, "client": case.client.name}


def _ask_for_review(case: Case, review: Review, *, actor, now: dt.datetime) -> None:
    """The self-check passed: the supervisors hear that the second review is theirs (not the
    handlers, whom the four-eyes rule keeps out)."""
    reviewers = staff_with(roles=(Role.SUPERVISOR,)) or staff_with(Capability.REVIEW_RESULT)
    hand_off(
        key=f"review:await:{case.pk}:{review.round}",
        users=reviewers,
        case=case,
        panel="reviews",
        subject=Phrase("reviews.await.subject", _names(case)),
        body=Phrase(
            "reviews.await.body", {"who": staff_display_name(actor), "round": review.round}
        ),
        now=now,
        besides={actor.pk} | case_handlers(case),
    )


def _tell_review_outcome(case: Case, review: Review, *, handler, actor, now) -> None:
    """A failed review goes back to whoever does the work; a passed one to the liaison, who
    delivers."""
    if review.passed:
        hand_off(
            key=f"review:passed:{case.pk}:{review.round}",
            users=case_liaisons(case),
            case=case,
            panel="delivery",
            subject=Phrase("reviews.passed.subject", _names(case)),
            body=Phrase(
                "reviews.passed.body", {"who": staff_display_name(actor), "round": review.round}
            ),
            now=now,
        )
        return
    doers = get_user_model().objects.filter(pk__in=case_handlers(case) | {handler.pk})
    hand_off(
        key=f"review:failed:{case.pk}:{review.round}",
        users=doers,
        case=case,
        panel="reviews",
        subject=Phrase("reviews.failed.subject", _names(case)),
        body=Phrase(
            "reviews.failed.body",
            {
                "who": staff_display_name(actor),
                "n": len(review.problems),
                "items": problems(review.problems),
            },
        ),
        now=now,
        besides={actor.pk},
    )


def _files_payload(review: Review) -> list[dict]:
    return [{"document": f["document"], "sha256": f["sha256"]} for f in review.files]


@transaction.atomic
def supervisor_review(
    *,
    actor,
    case: Case,
    results: Iterable[Mapping],
    findings: Iterable = (),
    now: dt.datetime,
) -> Review:
    """The second pair of eyes. A failure records the errors found and sends the case back to
    in_progress for the handler to fix; its next entry into review is a new round."""
    if not user_can(actor, Capability.REVIEW_RESULT):
        raise NotAllowed(_("只有主管、部门经理或总经理可以进行主管复核。"))
    case = _lock_in_review(case)
    status = round_status(case)
    if status.self_check is None:
        raise ValidationFailed(
            gettext_noop("第 %(round)s 轮经办人自查尚未通过，主管暂不能复核。"),
            field="stage",
            params={"round": status.round},
        )
    own = [d.name for d in result_documents(case) if d.uploaded_by_id == actor.pk]
    if own:
        raise NotAllowed(
            gettext_noop(
                "四眼原则：复核人不能是结果文件的上传人。您上传了“%(files)s”，请由另一位主管复核。"
            ),
            params={"files": "、".join(own)},
        )
    if actor.pk in status.handler_ids | case_handlers(case):
        raise NotAllowed(_("四眼原则：复核人不能是经办人。您自查过本加急单，请由另一位主管复核。"))
    if status.supervisor is not None:
        raise ValidationFailed(
            gettext_noop("第 %(round)s 轮已经复核过。"),
            field="stage",
            params={"round": status.round},
        )
    cleaned = clean_results(review_checklist(case), results)
    found = _clean_findings(cleaned, findings)
    review = Review.objects.create(
        case=case,
        stage=SUPERVISOR,
        round=status.round,
        reviewer=actor,
        results=cleaned,
        files=files_reviewed(case),
        passed=all(r["ok"] for r in cleaned),
        created_at=now,
    )
    shared = []
    if review.passed:
        # What another pair of eyes passed is what the client may now see and sign for.
        covered = [f["document"] for f in review.files if f["uploaded_by"] != actor.pk]
        hidden = CaseDocument.objects.filter(pk__in=covered, client_visible=False)
        shared = sorted(hidden.values_list("pk", flat=True))
        hidden.update(client_visible=True)
    ReviewFinding.objects.bulk_create(
        ReviewFinding(
            review=review, item=f.item, description=f.description, correction=f.correction
        )
        for f in found
    )
    audit_record(
        kind=AuditKind.REVIEW_REVIEWED,
        actor=actor,
        case=case,
        payload=_payload(
            review,
            handler=staff_display_name(status.self_check.reviewer),
            files=_files_payload(review),
            shared=shared,
            findings=[
                {"item": f.item, "description": f.description, "correction": f.correction}
                for f in found
            ],
        ),
    )
    hand_off_done(f"review:await:{case.pk}:{review.round}", now=now)
    _tell_review_outcome(case, review, handler=status.self_check.reviewer, actor=actor, now=now)
    if not review.passed:
        case_transition(
            actor=actor,
            case=case,
            to=CaseState.IN_PROGRESS.value,
            now=now,
            reason=(
                _("主管复核未通过（第 %(round)s 轮）：%(items)s")
                % {"round": review.round, "items": "、".join(r["item"] for r in review.problems)}
            )[:1000],
        )
    return review


def review_reopen(*, actor, case: Case, change: str, now: dt.datetime) -> int | None:
    """A result file changed (`change` says how) after someone reviewed the current round:
    the round no longer covers what would be delivered, so the case goes back to work and
    through a new round, and the round's reviewers hear of it. Returns the reopened round, or
    None when nobody had reviewed it yet (the round's reviews will see the change).

    Called inside the change's own transaction, with the case row locked.
    """
    if case.state != CaseState.REVIEW.value:
        return None
    status = round_status(case)
    if status.self_check is None:
        return None
    reason = _("复核后结果文件有变更（%(change)s），第 %(round)s 轮复核重新打开。") % {
        "change": change,
        "round": status.round,
    }
    case_transition(
        actor=actor, case=case, to=CaseState.IN_PROGRESS.value, now=now, reason=reason[:1000]
    )
    reviewers = [r.reviewer for r in (status.self_check, status.supervisor) if r is not None]
    _tell_reviewers(
        case=case,
        round_=status.round,
        users=[u for u in dict.fromkeys(reviewers) if u.pk != actor.pk],
        actor=actor,
        reason=Phrase("reviews.reopened.reason", {"change": change, "round": status.round}),
        now=now,
    )
    return status.round


def _tell_reviewers(*, case: Case, round_: int, users, actor, reason: Phrase, now) -> None:
    tell_staff(
        key=f"review:reopened:{case.pk}:{round_}",
        users=users,
        case=case,
        subject=Phrase("reviews.reopened.subject", _names(case)),
        body=Phrase("reviews.reopened.body", {"who": staff_display_name(actor), "reason": reason}),
        now=now,
        email=True,
    )
