"""The work of a case: its plan laid out as tracks and steps, and their updates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can, user_roles
from expedite.approvals.selectors import steps_not_needed_for
from expedite.audit.services import audit_record
from expedite.cases.models import Case, CaseDocument
from expedite.cases.plans import definition_for, next_working_start, plan_to_dict
from expedite.cases.triage import case_document_add
from expedite.cases.words import term
from expedite.domain.audit import AuditKind
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError, NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.planning import plan
from expedite.domain.progress import check_step_update
from expedite.domain.roles import Capability, Role
from expedite.domain.text import clean_text
from expedite.notify.notices import tell_client
from expedite.portal.links import portal_path
from expedite.portal.selectors import milestones
from expedite.workdays.selectors import firm_calendar

from .models import TRACK_STATUS_CHOICES, StepRun, Track
from .selectors import _status

# Steps move while the case runs; waiting on the client does not stop government steps.
WORKING_STATES = {
    CaseState.ACCEPTED,
    CaseState.MATERIALS,
    CaseState.IN_PROGRESS,
    CaseState.ON_HOLD,
}


def _promised_plan(case: Case, now: dt.datetime) -> dict:
    """The plan the client accepted (the triage's recommended option), else the standard one."""
    option = (case.triage or {}).get("recommended_option")
    if option and option.get("steps"):
        return option
    return plan_to_dict(plan(definition_for(case), next_working_start(now), firm_calendar()))


def _without(steps: list[dict], codes: frozenset[str]) -> list[dict]:
    """The plan's steps without `codes`; whatever waited on a dropped step waits on what that
    step waited on."""
    deps = {s["code"]: list(s.get("depends_on", [])) for s in steps}

    def resolved(code: str) -> list[str]:
        return [d for dep in deps.get(code, []) for d in (resolved(dep) if dep in codes else [dep])]

    return [
        {**s, "depends_on": list(dict.fromkeys(resolved(s["code"])))}
        for s in steps
        if s["code"] not in codes
    ]


def plan_lay_out(*, actor, case: Case, now: dt.datetime) -> list[StepRun]:
    """Turn the accepted plan into tracks and steps, once (a later acceptance keeps them).
    Sign-off steps an approval already made unnecessary are left out."""
    if case.steps.exists():
        return list(case.steps.all())
    cal = firm_calendar()
    promised = _promised_plan(case, now)
    skipped = steps_not_needed_for(case)
    if skipped:
        promised = {**promised, "steps": _without(promised["steps"], skipped)}
    service = definition_for(case)
    # Plans stored before skills were part of them: take the skill from the catalog.
    known_skills = {t.code: t.skill for t in service.steps}
    for p in service.prerequisites:
        known_skills.update({t.code: t.skill for t in p.remedy})
    tracks: dict[str, Track] = {}
    runs = []
    for i, s in enumerate(promised["steps"]):
        name = s.get("track") or _("本所")
        if name not in tracks:
            tracks[name] = Track.objects.create(
                case=case, name=name, position=len(tracks), updated_at=now
            )
        start = dt.datetime.fromisoformat(s["start"])
        finish = dt.datetime.fromisoformat(s["finish"])
        runs.append(
            StepRun.objects.create(
                case=case,
                track=tracks[name],
                code=s["code"],
                name=s["name"],
                role=s.get("role", ""),
                skill=s.get("skill") or known_skills.get(s["code"], ""),
                milestone=s.get("milestone", ""),
                position=i,
                depends_on=list(s.get("depends_on", [])),
                duration_us=max(0, cal.work_clock(finish) - cal.work_clock(start)),
                planned_start=start,
                planned_finish=finish,
                critical=bool(s.get("critical")),
            )
        )
    audit_record(
        kind=AuditKind.PLAN_LAID_OUT,
        actor=actor,
        case=case,
        payload={
            "levers": promised.get("levers", []),
            "finish": promised.get("finish"),
            "tracks": list(tracks),
            "steps": [r.code for r in runs],
        },
    )
    return runs


@transaction.atomic
def steps_skip_after_decision(request, actor, now: dt.datetime) -> list[str]:
    """An approval decided: drop the sign-off steps it made unnecessary (not started yet), so
    the projection, the pages and the signed 结果确认单 follow the shorter plan. Returns the
    codes dropped."""
    case = request.case
    codes = steps_not_needed_for(case)
    runs = list(case.steps.select_for_update().order_by("position"))
    dropped = [r for r in runs if r.code in codes and r.started_at is None]
    if not dropped:
        return []
    gone = frozenset(r.code for r in dropped)
    kept = _without([{"code": r.code, "depends_on": list(r.depends_on)} for r in runs], gone)
    for run, new in zip([r for r in runs if r.code not in gone], kept, strict=True):
        if run.depends_on != new["depends_on"]:
            run.depends_on = new["depends_on"]
            run.save(update_fields=["depends_on"])
    for run in dropped:
        audit_record(
            kind=AuditKind.PLAN_STEP_SKIPPED,
            actor=actor,
            case=case,
            payload={"step": run.code, "name": run.name, "approval": request.pk},
        )
        run.delete()
    return sorted(gone)


# Supervisors and managers may stand in for the case's own people.
STAND_IN = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN})


def _check_on_case(actor, case: Case) -> None:
    """Progress is updated by the case's liaison and process specialist (or a stand-in)."""
    if not user_can(actor, Capability.UPDATE_PROGRESS):
        raise NotAllowed(_("您的角色无权更新办理进度。"))
    if user_roles(actor) & STAND_IN:
        return
    if not case.assignments.filter(user=actor, role__in=("liaison", "process")).exists():
        raise NotAllowed(_("只有本单的客户对接专员、流程推进专员（或主管、经理）可以更新进度。"))


def _lock(step: StepRun, actor) -> StepRun:
    step = (
        StepRun.objects.select_for_update(no_key=True)
        .select_related("case", "track")
        .get(pk=step.pk)
    )
    _check_on_case(actor, step.case)
    if CaseState(step.case.state) not in WORKING_STATES:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，不能更新步骤。"),
            field="step",
            params={"state": str(step.case.get_state_display())},
        )
    return step


def _done_map(step: StepRun) -> dict[str, bool]:
    return {
        code: finished is not None
        for code, finished in StepRun.objects.filter(case=step.case_id).values_list(
            "code", "finished_at"
        )
    }


def _check(step: StepRun, action: str) -> None:
    try:
        check_step_update(_status(step, firm_calendar()), _done_map(step), action=action)
    except DomainError as e:
        raise ValidationFailed(e.template, field="step", params=_names(step, e.params)) from None


def _names(step: StepRun, params: dict) -> dict:
    # Name predecessors as people read them, not by code.
    if "steps" in params:
        names = dict(StepRun.objects.filter(case=step.case_id).values_list("code", "name"))
        params = {"steps": "、".join(names.get(c, c) for c in params["steps"].split("、"))}
    return params


# Apps above may hold a step back (the review app: no first submission to an authority before
# the submission check). A guard raises a DomainError; it runs with the step row locked.
StepGuard = Callable[[StepRun], None]
_STEP_GUARDS: list[StepGuard] = []


def register_step_guard(guard: StepGuard) -> StepGuard:
    if guard not in _STEP_GUARDS:
        _STEP_GUARDS.append(guard)
    return guard


@transaction.atomic
def step_start(*, actor, step: StepRun, now: dt.datetime) -> StepRun:
    step = _lock(step, actor)
    _check(step, "start")
    for guard in _STEP_GUARDS:
        guard(step)
    step.started_at = now
    step.save(update_fields=["started_at"])
    if step.track.status in ("waiting", "done"):
        # Work begins (or resumes) on this line: the daily sync is owed from now on.
        step.track.status = "active"
        step.track.updated_at = now
        step.track.updated_by = actor
        step.track.save(update_fields=["status", "updated_at", "updated_by"])
    audit_record(
        kind=AuditKind.STEP_STARTED,
        actor=actor,
        case=step.case,
        payload={"step": step.code, "name": step.name, "track": step.track.name},
    )
    return step


@transaction.atomic
def step_finish(
    *, actor, step: StepRun, now: dt.datetime, actual_hours=None, note: str = ""
) -> StepRun:
    step = _lock(step, actor)
    _check(step, "finish")
    before = _current_milestone(step.case)
    hours = None
    if actual_hours not in (None, ""):
        try:
            hours = Decimal(str(actual_hours)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationFailed(_("实际工时须是数字。"), field="actual_hours") from None
        if not Decimal("0") <= hours <= Decimal("999"):
            raise ValidationFailed(_("实际工时应在 0 到 999 小时之间。"), field="actual_hours")
    note = clean_text(
        note, field="note", label=gettext_noop("备注"), max_length=1000, required=False
    )
    step.finished_at = now
    step.actual_hours = hours
    step.note = note
    step.save(update_fields=["finished_at", "actual_hours", "note"])
    track_done = not step.track.steps.filter(finished_at__isnull=True).exists()
    if track_done:
        step.track.status = "done"
        step.track.updated_at = now
        step.track.updated_by = actor
        step.track.save(update_fields=["status", "updated_at", "updated_by"])
    audit_record(
        kind=AuditKind.STEP_FINISHED,
        actor=actor,
        case=step.case,
        payload={
            "step": step.code,
            "name": step.name,
            "track": step.track.name,
            "actual_hours": str(hours) if hours is not None else None,
            "late_by_us": max(
                0, firm_calendar().work_clock(now) - firm_calendar().work_clock(step.planned_finish)
            ),
            "note": note,
        },
    )
    after = _current_milestone(step.case)
    if after and after != before:
        _tell_client_milestone(step.case, after, now)
    return step


def _current_milestone(case: Case) -> str:
    """The milestone the client's page highlights now ("" when none is current)."""

    return next((m for m, state in milestones(case) if state == "current"), "")


def _tell_client_milestone(case: Case, milestone: str, now: dt.datetime) -> None:
    """Clients hear of milestones only (no step noise): once per milestone and contact."""

    path = portal_path(case)

    def compose() -> tuple[str, str]:
        values = {
            "client": case.client.name,
            "service": case.service.display_name(get_language()),
            "ref": case.reference,
            "milestone": term(milestone),
        }
        lines = [
            _("%(client)s您好：") % values,
            _("您委托的“%(service)s”（%(ref)s）已进入“%(milestone)s”阶段。") % values,
        ]
        if path:
            url = settings.EXPEDITE_PUBLIC_URL.rstrip("/") + path
            lines.append(_("随时查看进度：%(url)s") % {"url": url})
        return _("【办理进度】%(ref)s 已进入“%(milestone)s”") % values, "\n".join(lines) + "\n"

    tell_client(key=f"milestone:{case.pk}:{milestone}", case=case, compose=compose, now=now)


@transaction.atomic
def step_output_add(*, actor, step: StepRun, name: str, content: bytes) -> CaseDocument:
    """An output of the step (回执, 受理通知书, 新执照扫描件 …), kept with its SHA-256."""
    step = _lock(step, actor)
    return case_document_add(
        actor=actor, case=step.case, kind=step.output_kind, name=name, content=content
    )


@transaction.atomic
def track_update(*, actor, track: Track, status: str, note: str, now: dt.datetime) -> Track:
    """The process specialist's daily sync of one department's line."""
    track = Track.objects.select_for_update(no_key=True).select_related("case").get(pk=track.pk)
    _check_on_case(actor, track.case)
    if CaseState(track.case.state) not in WORKING_STATES | {CaseState.REVIEW}:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，不能更新办理通道。"),
            field="track",
            params={"state": str(track.case.get_state_display())},
        )
    if status not in dict(TRACK_STATUS_CHOICES):
        raise ValidationFailed(_("请选择通道状态。"), field="status")
    if status == "done" and track.steps.filter(finished_at__isnull=True).exists():
        raise ValidationFailed(_("该通道还有未完成的步骤，不能标记为已完成。"), field="status")
    note = clean_text(
        note, field="note", label=gettext_noop("进展"), max_length=1000, required=True
    )
    track.status = status
    track.note = note
    track.updated_at = now
    track.updated_by = actor
    track.save(update_fields=["status", "note", "updated_at", "updated_by"])
    audit_record(
        kind=AuditKind.TRACK_UPDATED,
        actor=actor,
        case=track.case,
        payload={"track": track.name, "status": status, "note": note},
    )
    return track
