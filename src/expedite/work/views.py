"""Pages for running cases: the case's team and progress, the board, staff and absences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.panels import panel_url
from expedite.cases.plans import current_catalog
from expedite.cases.words import term
from expedite.charts.timeline import progress_svg
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import flash_outcome, localized
from expedite.domain.errors import DomainError
from expedite.domain.roles import Capability
from expedite.domain.staffing import CASE_ROLES
from expedite.workdays.selectors import firm_calendar

from . import schedule as schedule_services
from . import steps as step_services
from . import team as team_services
from .forms import (
    AbsenceForm,
    AbsenceRemoveForm,
    ProfileForm,
    ScheduleForm,
    ScheduleViewForm,
    StaffActionForm,
    StepFinishForm,
    TeamForm,
    TrackUpdateForm,
)
from .load import case_waits
from .models import (
    CASE_ROLE_CHOICES,
    TRACK_STATUS_CHOICES,
    Absence,
    ScheduleProposal,
    ScheduleRun,
    StaffProfile,
    StepRun,
    Track,
)
from .schedule_page import View, default_view, monday, run_context, schedule_page, working_day
from .schedule_runs import latest_run, schedule_request
from .selectors import case_projection, case_steps, people, tracks_with_staleness


def work_context(request, case) -> dict:
    """The case page's team and progress sections."""
    now = clock.now()
    cal = firm_calendar()
    assignments = {a.role: a for a in case.assignments.select_related("user", "confirmed_by")}
    proj = case_projection(case, now=now, cal=cal, runs=case_steps(case))
    can_assign = user_can(request.user, Capability.ASSIGN_TEAM)
    # The choice of people is only offered to those who may assign.
    staff = people(needs_days=[]) if can_assign else []
    labels = dict(CASE_ROLE_CHOICES)
    team = [
        {
            "role": role,
            "label": labels[role],
            "assignment": assignments.get(role),
            "name": staff_display_name(assignments[role].user)
            if role in assignments and assignments[role].user
            else "",
            "options": [(p.id, p.name) for p in staff if role in p.roles],
        }
        for role in CASE_ROLES
    ]
    tracks = tracks_with_staleness(case.tracks.select_related("updated_by"), now=now)
    svg = progress_svg(proj, cal, now=now, term=term) if proj.steps else ""
    return {
        "team": team,
        "team_confirmed": bool(assignments)
        and all(a.status == "confirmed" for a in assignments.values()),
        "can_assign": can_assign,
        "can_update": user_can(request.user, Capability.UPDATE_PROGRESS),
        "projection": proj,
        "progress_svg": mark_safe(svg) if svg else "",  # noqa: S308 - built with escape()
        "tracks": tracks,
        "track_status_choices": TRACK_STATUS_CHOICES,
        # Who waits depends on the queues of the case's people across their other cases: it
        # loads after the page (case_waits_view), for a running case that has people on it.
        "waits_pending": bool(proj.steps and assignments),
    }


@login_required
def case_waits_view(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    waits = case_waits(case, now=clock.now())
    return render(request, "work/_case_waits.html", {"case": case, "waits": waits})


def _refused(request, form, pk: int, anchor: str = "work"):
    """A form the page posted that does not parse: say why, change nothing."""
    messages.error(request, first_error(form))
    return redirect(panel_url(pk, anchor))


def _done(request, fn, ok: str, pk: int, anchor: str = "work"):
    flash_outcome(request, fn, ok)
    return redirect(panel_url(pk, anchor))


@login_required
@require_POST
def team_propose_view(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    if not user_can(request.user, Capability.ASSIGN_TEAM):
        raise PermissionDenied
    return _done(
        request,
        lambda: team_services.team_propose(actor=request.user, case=case, now=clock.now()),
        _("已按技能、负荷和出勤重新建议分工。"),
        case.pk,
    )


@login_required
@require_POST
def team_assign_view(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    form = TeamForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, case.pk)
    return _done(
        request,
        lambda: team_services.team_assign(actor=request.user, case=case, choices=form.choices()),
        _("分工已确认。"),
        case.pk,
    )


@login_required
@require_POST
def step_action_view(request, step_id: int, action: str):
    step = get_object_or_404(StepRun.objects.select_related("case"), pk=step_id)
    access(case_selectors.access_case, user=request.user, pk=step.case_id)
    now = clock.now()
    if action == "start":
        fn = lambda: step_services.step_start(actor=request.user, step=step, now=now)  # noqa: E731
        ok = _("步骤已开始。")
    elif action == "finish":
        form = StepFinishForm(request.POST)
        if not form.is_valid():
            return _refused(request, form, step.case_id)
        fn = lambda: step_services.step_finish(  # noqa: E731
            actor=request.user,
            step=step,
            now=now,
            actual_hours=form.cleaned_data["actual_hours"],
            note=form.cleaned_data["note"],
        )
        ok = _("步骤已完成，计划已按实际重新推算。")
    elif action == "output":
        upload = request.FILES.get("file")
        fn = lambda: step_services.step_output_add(  # noqa: E731
            actor=request.user,
            step=step,
            name=upload.name if upload else "",
            content=upload.read() if upload else b"",
        )
        ok = _("成果文件已保存。")
    else:
        raise PermissionDenied
    return _done(request, fn, ok, step.case_id)


@login_required
@require_POST
def track_update_view(request, track_id: int):
    track = get_object_or_404(Track, pk=track_id)
    access(case_selectors.access_case, user=request.user, pk=track.case_id)
    form = TrackUpdateForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, track.case_id)
    return _done(
        request,
        lambda: step_services.track_update(
            actor=request.user,
            track=track,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            now=clock.now(),
        ),
        _("通道进展已同步。"),
        track.case_id,
    )


@login_required
def schedule_view(request):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, first_error(form))
            return redirect("schedule")
        solver = form.cleaned_data["solver"] or "greedy"
        try:
            _run, created = schedule_request(actor=request.user, now=clock.now(), solver=solver)
        except DomainError as exc:
            messages.error(request, localized(exc))
        else:
            messages.success(
                request,
                _("已开始重新排期，完成后本页会显示新的建议。")
                if created
                else _("已有一次重新排期在进行中，完成后本页会显示新的建议。"),
            )
        return redirect("schedule")
    now = clock.now()
    context = schedule_page(now=now, view=_schedule_view_of(request, now))
    context["gantt_svg"] = mark_safe(context["gantt_svg"])  # noqa: S308 - built with escape()
    context["can_plan"] = user_can(request.user, Capability.PLAN_SCHEDULE)
    return render(request, "work/schedule.html", context)


def _schedule_view_of(request, now) -> View:
    """The filter asked for; what is missing or wrong falls back to the viewer's team and
    this week (a bad link shows the default, not an error)."""
    view = default_view(request.user, working_day(now, firm_calendar()))
    if not request.GET:
        return view
    form = ScheduleViewForm(request.GET)
    if not form.is_valid():
        return view
    data = form.cleaned_data
    person = data["person"] if data["person"].isdigit() else ""
    week = monday(data["week"]) if data["week"] else view.week
    return View(team=data["team"], person=person, week=week)


@login_required
def schedule_progress_view(request):
    """The re-plan under way, polled by the workload page; once it is done the page reloads
    to show the new proposal."""
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied
    run = latest_run()
    response = render(request, "work/_schedule_run.html", run_context(run))
    if request.htmx and run is not None and run.status == ScheduleRun.DONE:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def schedule_accept_view(request, pk: int):
    proposal = get_object_or_404(ScheduleProposal, pk=pk)
    flash_outcome(
        request,
        lambda: schedule_services.schedule_accept(
            actor=request.user, proposal=proposal, now=clock.now()
        ),
        _("已采纳排期：步骤计划时间、负责人和分工已更新。"),
    )
    return redirect("schedule")


@login_required
def staff_view(request):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied
    User = get_user_model()
    if request.method == "POST":
        return _staff_post(request, User)
    today = clock.today()
    staff = people(needs_days=[])
    profiles = {p.user_id: p for p in StaffProfile.objects.all()}
    skills = current_catalog().skills
    role_names = dict(CASE_ROLE_CHOICES)
    return render(
        request,
        "work/staff.html",
        {
            "staff": [
                {
                    "person": p,
                    "profile": profiles.get(p.id),
                    "roles": [role_names[r] for r in CASE_ROLES if r in p.roles],
                    "skills": [k for k in skills if k in p.skills],
                }
                for p in staff
            ],
            "absences": Absence.objects.filter(end__gte=today).select_related("user"),
            "skills": skills,
            "can_manage": user_can(request.user, Capability.MANAGE_STAFF),
            "today": today,
        },
    )


def _staff_post(request, User):
    chosen = StaffActionForm(request.POST)
    if not chosen.is_valid():
        if "action" in chosen.errors:
            raise PermissionDenied
        messages.error(request, first_error(chosen))
        return redirect("staff")
    user_pk = chosen.cleaned_data["user"]
    target = (User.objects.filter(pk=user_pk).first() if user_pk else None) or request.user
    action = chosen.cleaned_data["action"]
    form = {"profile": ProfileForm, "absence": AbsenceForm, "absence_remove": AbsenceRemoveForm}[
        action
    ](request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("staff")
    data = form.cleaned_data
    try:
        if action == "profile":
            team_services.profile_save(
                actor=request.user,
                user=target,
                skills=data["skills"],
                capacity_hours=data["capacity_hours"],
                expedite_team=data["expedite_team"],
            )
        elif action == "absence":
            team_services.absence_add(
                actor=request.user,
                user=target,
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
            )
        else:
            absence = get_object_or_404(Absence, pk=data["absence"])
            team_services.absence_remove(actor=request.user, absence=absence)
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已保存。"))
    return redirect("staff")
