"""Demo data for running cases: skills and capacity, an absence, confirmed teams, progress."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from expedite.cases.models import Case
from expedite.workdays.selectors import firm_calendar

from .models import Absence, Assignment, StaffProfile
from .schedule import schedule_nightly
from .steps import step_finish, step_start, track_update
from .team import absence_add, profile_save, team_assign

# username → (skills, hours per day, member of the expedite team)
DEMO_PROFILES = {
    "zhangmin": (["工商", "法务", "许可"], "7.5", True),
    "liqiang": (["工商", "外资", "许可", "法务"], "7.5", True),
    "sunli": (["税务", "财务", "社保"], "7.5", False),
    "wangfang": (["外资", "工商", "法务", "许可"], "7.5", True),
    "zhoujie": (["税务", "财务", "社保", "商标"], "6", False),
}


def demo_staff(manager, *, today: dt.date) -> None:
    """Profiles first, so that cases accepted in the demo get sensible proposals."""
    User = get_user_model()
    for username, (skills, hours, team) in DEMO_PROFILES.items():
        user = User.objects.filter(username=username).first()
        if user and not StaffProfile.objects.filter(user=user).exists():
            profile_save(
                actor=manager, user=user, skills=skills, capacity_hours=hours, expedite_team=team
            )
    sunli = User.objects.filter(username="sunli").first()
    if sunli and not Absence.objects.filter(user=sunli).exists():
        cal = firm_calendar()
        start = cal.add_workdays(today, 1)
        absence_add(
            actor=sunli, user=sunli, start=start, end=cal.add_workdays(start, 1), reason="年假"
        )


def demo_work(manager, process, *, now: dt.datetime) -> None:
    """The labour-dispatch case under way: team confirmed, materials collected, review started."""
    case = Case.objects.filter(service__code="labor-dispatch-license", state="in_progress").first()
    if case is None or Assignment.objects.filter(case=case, status="confirmed").exists():
        return
    team = {a.role: a.user_id for a in case.assignments.all() if a.user_id}
    team_assign(actor=manager, case=case, choices=team)
    steps = {s.code: s for s in case.steps.all()}
    first = steps.get("collect")
    if first is not None:
        step_start(actor=process, step=first, now=now)
        step_finish(
            actor=process, step=first, now=now, actual_hours="3", note="客户电子签章当天返回"
        )
        track_update(
            actor=process,
            track=first.track,
            status="done",
            note="材料已收齐，电子签章完成",
            now=now,
        )
    review = steps.get("review")
    if review is not None:
        step_start(actor=process, step=review, now=now)
        track_update(
            actor=process,
            track=review.track,
            status="active",
            note="人社局已受理，现场核查与材料审核同步进行",
            now=now,
        )


def demo_schedule(*, now: dt.datetime) -> None:
    """The night's proposal as the manager finds it in the morning: the running cases compete
    for the one process specialist who knows 许可, 外资 and 工商, so someone has to wait."""

    schedule_nightly(now=now, time_limit=2.0)  # CP-SAT, as at night; optimal here in well under 1 s
