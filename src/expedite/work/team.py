"""People on a case: staff profiles, absences, and the three roles (proposed, then confirmed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can, user_roles
from expedite.audit.services import audit_record
from expedite.cases.models import Case
from expedite.cases.plans import current_catalog
from expedite.domain.audit import AuditKind
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, NotFound, ValidationFailed, gettext_noop
from expedite.domain.phrases import Items, Phrase, render
from expedite.domain.roles import Capability, Role
from expedite.domain.staffing import CASE_ROLES, ROLE_LABELS_ZH, check_team, propose_team
from expedite.domain.text import clean_text
from expedite.notify.handoffs import hand_off, hand_off_done, staff_with
from expedite.notify.said import label

from . import messages  # noqa: F401 - registers the phrases of the hand-offs below
from .models import CASE_ROLE_CHOICES, Absence, Assignment, StaffProfile
from .selectors import ACTIVE_STATES, case_needs_for, people, planned_load


def _require(actor, capability: Capability, message: str) -> None:
    if not user_can(actor, capability):
        raise NotAllowed(message)


@transaction.atomic
def profile_save(
    *, actor, user, skills: list[str], capacity_hours, expedite_team: bool
) -> StaffProfile:
    _require(actor, Capability.MANAGE_STAFF, _("只有经理可以修改员工的技能与产能。"))
    known = set(current_catalog().skills)
    unknown = [s for s in skills if s not in known]
    if unknown:
        raise ValidationFailed(
            gettext_noop("不认识的技能：%(skills)s（可选：%(known)s）。"),
            field="skills",
            params={"skills": "、".join(unknown), "known": "、".join(sorted(known))},
        )
    try:
        hours = Decimal(str(capacity_hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("每日可用工时须是数字。"), field="capacity_hours") from None
    if not Decimal("0") <= hours <= Decimal("12"):
        raise ValidationFailed(_("每日可用工时应在 0 到 12 小时之间。"), field="capacity_hours")
    profile, _created = StaffProfile.objects.select_for_update(no_key=True).get_or_create(user=user)
    profile.skills = list(dict.fromkeys(skills))
    profile.capacity_hours = hours
    profile.expedite_team = bool(expedite_team)
    profile.save()
    audit_record(
        kind=AuditKind.STAFF_PROFILE_CHANGED,
        actor=actor,
        payload={
            "user": user.get_username(),
            "skills": profile.skills,
            "capacity_hours": str(hours),
            "expedite_team": profile.expedite_team,
        },
    )
    return profile


@transaction.atomic
def absence_add(*, actor, user, start: dt.date, end: dt.date, reason: str) -> Absence:
    """Anyone records their own absence; a manager records anyone's."""
    if actor.pk != user.pk:
        _require(actor, Capability.MANAGE_STAFF, _("只能登记自己的请假/外出，或由经理代为登记。"))
    elif not user_roles(actor):
        raise NotAllowed(_("您不是本所员工。"))
    reason = clean_text(reason, field="reason", label=gettext_noop("原因"), max_length=200)
    if end < start:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="end")
    if (end - start).days > 366:
        raise ValidationFailed(_("一次登记不能超过一年。"), field="end")
    absence = Absence.objects.create(
        user=user, start=start, end=end, reason=reason, recorded_by=actor
    )
    audit_record(
        kind=AuditKind.STAFF_ABSENCE_RECORDED,
        actor=actor,
        payload={
            "user": user.get_username(),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "reason": reason,
        },
    )
    return absence


@transaction.atomic
def absence_remove(*, actor, absence: Absence) -> None:
    if actor.pk != absence.user_id:
        _require(actor, Capability.MANAGE_STAFF, _("只能取消自己的请假/外出，或由经理代为取消。"))
    payload = {
        "user": absence.user.get_username(),
        "start": absence.start.isoformat(),
        "end": absence.end.isoformat(),
    }
    absence.delete()
    audit_record(kind=AuditKind.STAFF_ABSENCE_REMOVED, actor=actor, payload=payload)


def _check_running(case: Case) -> None:
    if CaseState(case.state) not in ACTIVE_STATES:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，只有接受后、交付前的加急单可以安排人员。"),
            field="state",
            params={"state": str(case.get_state_display())},
        )


@transaction.atomic
def team_propose(*, actor, case: Case, now: dt.datetime, system: bool = False) -> list[Assignment]:
    """Propose a person for every role not yet confirmed, with the reason; confirmed roles stay.

    `system`: the proposal made when the case is accepted, on behalf of whoever accepted it.
    """
    if not system:
        _require(actor, Capability.ASSIGN_TEAM, _("只有经理可以重新建议分工。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    _check_running(case)
    confirmed = {
        a.role: a.user_id for a in Assignment.objects.filter(case=case, status=Assignment.CONFIRMED)
    }
    needs = case_needs_for(case, now=now)
    staff = people(needs_days=sorted({d for n in needs.values() for d in n.hours_by_day}))
    load = planned_load(exclude_case=case.pk, now=now)
    # Confirmed people are fixed: propose the others around them.
    fixed = [p for p in staff if p.id in confirmed.values()]
    proposal = propose_team(
        {r: n for r, n in needs.items() if r not in confirmed},
        [p for p in staff if p.id not in confirmed.values()] + fixed,
        load,
    )
    result = []
    payload = {}
    for role in CASE_ROLES:
        if role in confirmed:
            continue
        chosen = proposal.chosen.get(role)
        if chosen and role in ("process", "risk"):
            other = confirmed.get("risk" if role == "process" else "process")
            if other == chosen.person.id:
                chosen = next(
                    (c for c in proposal.alternatives.get(role, ()) if c.person.id != other), None
                )
        reason = (chosen.reason() if chosen else Phrase("staffing.nobody")).as_json()
        assignment, _created = Assignment.objects.update_or_create(
            case=case,
            role=role,
            defaults={
                "user_id": chosen.person.id if chosen else None,
                "status": Assignment.PROPOSED,
                "reason": reason,
                "confirmed_by": None,
            },
        )
        payload[role] = {
            "user": chosen.person.name if chosen else None,
            "reason": render(reason),
        }
        result.append(assignment)
    audit_record(kind=AuditKind.TEAM_PROPOSED, actor=actor, case=case, payload=payload)
    if result:
        hand_off(
            key=f"team:proposed:{case.pk}:{now.isoformat()}",
            users=staff_with(roles=(Role.MANAGER,)) or staff_with(Capability.ASSIGN_TEAM),
            case=case,
            panel="work",
            subject=Phrase(
                "work.team.proposed.subject", {"ref": case.reference, "client": case.client.name}
            ),
            body=Phrase(
                "work.team.proposed.body",
                {
                    "team": Items(
                        tuple(
                            Phrase(
                                "work.team.member",
                                {"role": label(ROLE_LABELS[role]), "who": p["user"] or "—"},
                            )
                            for role, p in payload.items()
                        )
                    )
                },
            ),
            now=now,
            besides={actor.pk} if actor is not None else (),
        )
    return result


ROLE_LABELS = dict(CASE_ROLE_CHOICES)
_ROLE_GROUP = {"liaison": Role.LIAISON, "process": Role.PROCESS, "risk": Role.RISK}


@transaction.atomic
def team_assign(*, actor, case: Case, choices: dict[str, int | None]) -> list[Assignment]:
    """A manager confirms the proposal or puts someone else in a role (all roles at once)."""
    _require(actor, Capability.ASSIGN_TEAM, _("只有经理可以确认或调整分工。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    _check_running(case)
    unknown = [r for r in choices if r not in CASE_ROLES]
    if unknown:
        raise ValidationFailed(_("未知的角色。"), field="role")
    current = {a.role: a for a in Assignment.objects.filter(case=case)}
    team = {r: (a.user_id if a else None) for r, a in current.items()}
    team.update(choices)
    User = get_user_model()
    for role, user_id in choices.items():
        if user_id is None:
            raise ValidationFailed(
                gettext_noop("请为“%(role)s”选择人员。"),
                field=role,
                params={"role": ROLE_LABELS_ZH[role]},
            )
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise NotFound(_("找不到该员工。"))
        if _ROLE_GROUP[role] not in user_roles(user):
            raise ValidationFailed(
                gettext_noop("%(name)s 不是%(role)s，不能担任该角色。"),
                field=role,
                params={"name": staff_display_name(user), "role": ROLE_LABELS_ZH[role]},
            )
    check_team(team)
    result = []
    payload = {}
    for role, user_id in choices.items():
        previous = current.get(role)
        assignment, _created = Assignment.objects.update_or_create(
            case=case,
            role=role,
            defaults={
                "user_id": user_id,
                "status": Assignment.CONFIRMED,
                "confirmed_by": actor,
                "reason": previous.reason
                if previous and previous.user_id == user_id
                else Phrase("staffing.manager_chose").as_json(),
            },
        )
        payload[role] = {
            "user": staff_display_name(assignment.user),
            "proposed": staff_display_name(previous.user) if previous and previous.user else None,
        }
        result.append(assignment)
    audit_record(kind=AuditKind.TEAM_ASSIGNED, actor=actor, case=case, payload=payload)
    hand_off_done(f"team:proposed:{case.pk}:", now=clock.now())
    return result
