"""Writes: the client's survey, the manager's follow-up, the 复盘, the handbook and its proposals.

Each is one transaction with one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.lifecycle import STATE_NAMES
from expedite.cases.models import Case, CatalogVersion
from expedite.cases.plans import current_catalog
from expedite.cases.services import catalog_sync
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.cases import FINAL, CaseState
from expedite.domain.catalog import parse_catalog
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.feedback import parse_scores, suggested_report_time
from expedite.domain.learning import CatalogChange, check_change
from expedite.domain.phrases import Phrase
from expedite.domain.roles import Capability, Role
from expedite.domain.text import clean_text
from expedite.monitoring.models import CaseMonitoring
from expedite.monitoring.reports import monitoring_settings_save
from expedite.notify.notices import role_users, tell_staff

from . import messages  # noqa: F401 - registers the phrases of the messages below
from .catalog import latest_catalog_text
from .models import (
    PROPOSAL_ACCEPTED,
    PROPOSAL_PENDING,
    PROPOSAL_REJECTED,
    CatalogRevision,
    Feedback,
    FollowUp,
    HandbookEntry,
    Retrospective,
)
from .selectors import retrospective_reasons_for

COMMENT_MAX = 1000
TEXT_MAX = 2000
ACTION_MAX = 200
ACTIONS_MAX = 10
SURVEY_STATES = (CaseState.CONFIRMED.value, CaseState.CLOSED.value)
RETRO_STATES = (CaseState.DELIVERED.value, *SURVEY_STATES)


# -- the client's survey ----------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *, case: Case, contact: str, scores: dict, comment: str, now: dt.datetime
) -> Feedback:
    """The client's three scores and comment, once per case, after it confirmed the delivery.

    A low score (any score of 2 or less) opens a follow-up for the managers.
    """
    case = (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client")
        .get(pk=case.pk)
    )
    if case.state not in SURVEY_STATES:
        raise ValidationFailed(
            gettext_noop("确认交付后才能评价。"),
            field="state",
        )
    if Feedback.objects.filter(case=case).exists():
        raise ValidationFailed(gettext_noop("您已评价过本单，感谢您的反馈。"), field="feedback")
    parsed = parse_scores(scores)
    comment = clean_text(
        comment, field="comment", label=gettext_noop("意见"), max_length=COMMENT_MAX, required=False
    )
    feedback = Feedback.objects.create(
        case=case,
        timeliness=parsed.timeliness,
        communication=parsed.communication,
        result=parsed.result,
        comment=comment,
        created_at=now,
    )
    audit_record(
        kind=AuditKind.FEEDBACK_SUBMITTED,
        actor_kind=ActorKind.CLIENT,
        actor_label=contact or "client",
        case=case,
        payload={
            "timeliness": parsed.timeliness,
            "communication": parsed.communication,
            "result": parsed.result,
            "low": parsed.is_low,
        },
    )
    if parsed.is_low:
        _open_follow_up(feedback, now=now)
    return feedback


def _open_follow_up(feedback: Feedback, *, now: dt.datetime) -> FollowUp:

    suggestion = {}
    if (time := suggested_report_time(feedback.comment)) is not None:
        suggestion["report_time"] = time
    row = FollowUp.objects.create(feedback=feedback, suggestion=suggestion, opened_at=now)
    case = feedback.case
    subject = Phrase(
        "learning.low_score.subject", {"ref": case.reference, "client": case.client.name}
    )
    body = Phrase(
        "learning.low_score.body",
        {
            "t": feedback.timeliness,
            "c": feedback.communication,
            "r": feedback.result,
            "comment": feedback.comment or "—",
        },
    )
    tell_staff(
        key=f"learning:follow-up:{row.pk}",
        users=role_users(Role.MANAGER, Role.GENERAL_MANAGER),
        case=case,
        subject=subject,
        body=body,
        now=now,
        email=True,
    )
    return row


# -- the manager's follow-up ------------------------------------------------------------------


def _parse_time(raw: str) -> dt.time:
    try:
        return dt.datetime.strptime(raw.strip(), "%H:%M").time()
    except ValueError:
        raise ValidationFailed(
            gettext_noop("请填写正确的时间，例如 16:00。"), field="report_time"
        ) from None


@transaction.atomic
def follow_up_resolve(
    *, actor, follow_up: FollowUp, note: str, report_time: str = "", now: dt.datetime
) -> FollowUp:
    """Close a follow-up with what was done; optionally move the client's daily report time.

    The report time goes to every running case of the client, through monitoring's own
    settings service (each change audited there too).
    """
    if not user_can(actor, Capability.RESOLVE_FEEDBACK):
        raise NotAllowed(_("只有部门经理可以处理差评跟进。"))
    row = FollowUp.objects.select_for_update(no_key=True).get(pk=follow_up.pk)
    if row.resolved_at is not None:
        raise ValidationFailed(gettext_noop("该跟进事项已处理。"), field="follow_up")
    note = clean_text(note, field="note", label=gettext_noop("处理说明"), max_length=TEXT_MAX)
    applied: dict = {}
    if report_time.strip():
        applied = _apply_report_time(actor, row.feedback.case, _parse_time(report_time))
    row.note = note
    row.applied = applied
    row.resolved_at = now
    row.resolved_by = actor
    row.save()
    audit_record(
        kind=AuditKind.FOLLOW_UP_RESOLVED,
        actor=actor,
        case=row.feedback.case,
        payload={"follow_up": row.pk, "note": note, "applied": applied},
    )
    return row


def _apply_report_time(actor, case: Case, time: dt.time) -> dict:

    running = Case.objects.filter(client_id=case.client_id).exclude(
        state__in=[s.value for s in FINAL]
    )
    running = running.exclude(state__in=[CaseState.DRAFT.value, CaseState.CONFIRMED.value])
    cases = list(running.order_by("pk"))
    if not cases:
        raise ValidationFailed(
            gettext_noop("该客户目前没有办理中的加急单，日报时间无需调整。"), field="report_time"
        )
    for c in cases:
        current = CaseMonitoring.objects.filter(case=c).first()
        monitoring_settings_save(
            actor=actor,
            case=c,
            report_time=time,
            continue_on_holidays=current.continue_on_holidays if current else False,
        )
    return {"report_time": time.strftime("%H:%M"), "cases": [c.reference for c in cases]}


# -- 复盘 -------------------------------------------------------------------------------------


def clean_actions(raw: Iterable[str]) -> list[str]:
    actions = [" ".join(str(a).split()) for a in raw]
    actions = [a for a in actions if a]
    if len(actions) > ACTIONS_MAX:
        raise ValidationFailed(
            gettext_noop("改进措施最多 %(n)s 条。"), field="actions", params={"n": ACTIONS_MAX}
        )
    for a in actions:
        clean_text(a, field="actions", label=gettext_noop("改进措施"), max_length=ACTION_MAX)
    return actions


@transaction.atomic
def retrospective_save(
    *, actor, case: Case, went_well: str, to_improve: str, actions: Iterable[str], now: dt.datetime
) -> Retrospective:
    """Write (or rewrite) the case's 复盘; actions already in the handbook stay where they are."""
    if not user_can(actor, Capability.WRITE_RETROSPECTIVE):
        raise NotAllowed(_("您的角色无权填写复盘。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.state not in RETRO_STATES:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，交付后才能复盘。"),
            field="state",
            params={"state": str(STATE_NAMES.get(case.state, case.state))},
        )
    went_well = clean_text(
        went_well, field="went_well", label=gettext_noop("做得好的"), max_length=TEXT_MAX
    )
    to_improve = clean_text(
        to_improve, field="to_improve", label=gettext_noop("需要改进的"), max_length=TEXT_MAX
    )
    actions = clean_actions(actions)
    row = Retrospective.objects.filter(case=case).first()
    if row is not None:
        used = set(row.entries.values_list("action_index", flat=True))
        kept = [i for i in used if i is not None and i >= len(actions)]
        if kept:
            raise ValidationFailed(gettext_noop("已转入优化手册的措施不能删除。"), field="actions")
    reasons = [r.value for r in retrospective_reasons_for(case)]
    row, created = Retrospective.objects.update_or_create(
        case=case,
        defaults={
            "went_well": went_well,
            "to_improve": to_improve,
            "actions": actions,
            "reasons": reasons,
            "written_by": actor,
            "updated_at": now,
        },
    )
    audit_record(
        kind=AuditKind.RETROSPECTIVE_SAVED,
        actor=actor,
        case=case,
        payload={"created": created, "actions": len(actions), "reasons": reasons},
    )
    return row


# -- the handbook -----------------------------------------------------------------------------


@transaction.atomic
def handbook_entry_add(
    *,
    actor,
    service_code: str,
    step_code: str = "",
    title: str,
    body: str = "",
    retrospective: Retrospective | None = None,
    action_index: int | None = None,
    change: CatalogChange | None = None,
    now: dt.datetime,
) -> HandbookEntry:
    """A lesson for a service (and step); with `change`, a proposal waiting for a decision."""
    if not user_can(actor, Capability.EDIT_HANDBOOK):
        raise NotAllowed(_("您的角色无权编辑优化手册。"))
    try:
        service = current_catalog().get(service_code)
    except KeyError:
        raise ValidationFailed(
            gettext_noop("服务目录中没有“%(code)s”。"),
            field="service",
            params={"code": service_code},
        ) from None
    if step_code and step_code not in {s.code for s in service.steps}:
        raise ValidationFailed(
            gettext_noop("“%(service)s”没有步骤“%(step)s”。"),
            field="step",
            params={"service": service.name_zh, "step": step_code},
        )
    if retrospective is not None:
        if action_index is None or not 0 <= action_index < len(retrospective.actions):
            raise ValidationFailed(gettext_noop("复盘中没有这条措施。"), field="action")
        if HandbookEntry.objects.filter(
            retrospective=retrospective, action_index=action_index
        ).exists():
            raise ValidationFailed(gettext_noop("这条措施已转入优化手册。"), field="action")
        title = title or retrospective.actions[action_index]
    title = clean_text(title, field="title", label=gettext_noop("标题"), max_length=120)
    body = clean_text(
        body, field="body", label=gettext_noop("内容"), max_length=TEXT_MAX, required=False
    )
    if change is not None:
        if change.service != service_code:
            raise ValidationFailed(gettext_noop("修改建议须针对本条目的服务事项。"), field="change")
        check_change(latest_catalog_text(), change)
    entry = HandbookEntry.objects.create(
        service_code=service_code,
        step_code=step_code,
        title=title,
        body=body,
        retrospective=retrospective,
        action_index=action_index if retrospective is not None else None,
        change=change.to_dict() if change is not None else {},
        status=PROPOSAL_PENDING if change is not None else "",
        created_by=actor,
        created_at=now,
    )
    audit_record(
        kind=AuditKind.HANDBOOK_ENTRY_ADDED,
        actor=actor,
        case=retrospective.case if retrospective is not None else None,
        payload={
            "entry": entry.pk,
            "service": service_code,
            "step": step_code,
            "change": entry.change,
        },
    )
    return entry


@transaction.atomic
def proposal_decide(
    *, actor, entry: HandbookEntry, accept: bool, reason: str, now: dt.datetime
) -> HandbookEntry:
    """Accept (a new catalog revision, used by every plan from now on) or reject, with a reason."""
    if not user_can(actor, Capability.DECIDE_CATALOG_CHANGE):
        raise NotAllowed(_("只有系统管理员或总经理可以审定服务目录修改。"))
    entry = HandbookEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if entry.status != PROPOSAL_PENDING:
        raise ValidationFailed(gettext_noop("该建议已审定或没有目录修改。"), field="entry")
    reason = clean_text(reason, field="reason", label=gettext_noop("理由"), max_length=TEXT_MAX)
    payload: dict = {"entry": entry.pk, "change": entry.change, "reason": reason}
    if accept:
        # One revision at a time: the numbers and the versions they produce stay in order.
        CatalogVersion.objects.select_for_update(no_key=True).order_by("-pk").first()
        text = latest_catalog_text()
        diff = check_change(text, CatalogChange.from_dict(entry.change))
        number = (CatalogRevision.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = CatalogRevision.objects.create(
            number=number,
            entry=entry,
            change=entry.change,
            diff=[list(line) for line in diff],
            accepted_by=actor,
            accepted_at=now,
        )
        source = f"handbook r{number}"
        catalog_sync(catalog=parse_catalog(text, source=source), text=text, source=source)
        revision.version = CatalogVersion.objects.order_by("-pk").first()
        revision.save(update_fields=["version"])
        payload |= {"revision": number, "diff": revision.diff, "version": revision.version_id}
    entry.status = PROPOSAL_ACCEPTED if accept else PROPOSAL_REJECTED
    entry.decided_by = actor
    entry.decided_at = now
    entry.decision_reason = reason
    entry.save()
    audit_record(
        kind=AuditKind.CATALOG_CHANGE_ACCEPTED if accept else AuditKind.CATALOG_CHANGE_REJECTED,
        actor=actor,
        payload=payload,
    )
    return entry
