"""The manager's workload page: the latest proposal as a Gantt per person, the plan's
conflicts, and what would have to give (which case waits, by how much, at what cost).

One team (or one person) and one week at a time, so the page grows with what is shown, not
with the firm; whether the proposal still fits the data is read from a stamp of plain column
values (`read_stamp`), not by rebuilding the scheduling problem."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from expedite.cases.models import Case
from expedite.cases.words import list_sep, term
from expedite.charts.timeline import Bar, Lane, case_colours, moment, schedule_svg
from expedite.domain.staffing import CASE_ROLES

from .models import CASE_ROLE_CHOICES, ScheduleProposal, ScheduleRun, StepRun
from .schedule import latest_proposal
from .schedule_input import Clock, read_stamp
from .schedule_runs import latest_run

SHOWN = 4  # steps named in one conflict line
LISTED = 40  # conflicts and cases that give way listed at most
WEEK_DAY = 120  # px per day: a week is drawn wide enough to name its steps
HEAVY = ("triage", "intake", "clocks")  # a case's large JSON, not needed here


@dataclass(frozen=True, slots=True)
class Give:
    case: Case
    deadline: dt.date
    plan_finish: dt.datetime
    new_finish: dt.datetime
    shift_hours: int  # proposal's finish minus the plan's, in working hours (+ = waits)
    late_hours: int  # past the deadline in the proposal
    plan_late_hours: int
    weight: float
    slots: int

    @property
    def shift_days(self) -> float:
        return round(self.shift_hours / self.slots, 1)

    @property
    def late_days(self) -> float:
        return round(self.late_hours / self.slots, 1)

    @property
    def cost(self) -> float:
        return round(self.weight * self.late_hours, 1)

    @property
    def plan_cost(self) -> float:
        return round(self.weight * self.plan_late_hours, 1)


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: str
    text: str
    at: dt.datetime


def _conflict_text(c: dict, names: dict[str, str], steps: dict[int, StepRun]) -> str:
    who = names.get(c["worker"] or "", "?")
    labels = [
        f"{steps[int(s)].case.reference} {term(steps[int(s)].name)}"
        for s in c["steps"][:SHOWN]
        if int(s) in steps
    ]
    text = list_sep().join(labels)
    if len(c["steps"]) > SHOWN:
        text = _("%(steps)s 等 %(n)s 个步骤") % {"steps": text, "n": len(c["steps"])}
    params = {"who": who, "steps": text, "hours": c["hours"]}
    if c["kind"] == "capacity":
        return _("%(who)s 同时被排了 %(steps)s，重叠 %(hours)s 小时") % params
    if c["kind"] == "calendar":
        return _("%(who)s 请假/外出期间被排了 %(steps)s（%(hours)s 小时）") % params
    if c["kind"] == "skill":
        return _("%(who)s 不具备 %(steps)s 所需的技能") % params
    return _("没有人能做 %(steps)s（无人担任该角色）") % params


STAGES = {
    "reading": gettext_lazy("读取数据"),
    "simple": gettext_lazy("生成基础方案"),
    "search": gettext_lazy("优化搜索"),
    "storing": gettext_lazy("保存建议"),
}


def run_context(run: ScheduleRun | None) -> dict:
    """A re-plan on the queue as the page shows it: waiting, how far it is, or why it failed."""
    if run is None:
        return {"run": None}
    error = ""
    if run.status == ScheduleRun.FAILED:
        template = run.error.get("template") or "排期时出错。"
        params = run.error.get("params") or {}
        try:
            error = _(template) % params if params else _(template)
        except (KeyError, TypeError, ValueError):
            error = template
    return {
        "run": run,
        "run_active": run.status in ScheduleRun.ACTIVE,
        "run_stage": STAGES.get(run.stage, ""),
        "run_percent": round(run.progress * 100),
        "run_error": error,
    }


def _run_to_show(proposal: ScheduleProposal | None) -> ScheduleRun | None:
    """The latest re-plan while it is queued or running, or when it failed after the latest
    proposal was made; one that finished is the proposal itself."""
    run = latest_run()
    if run is None or run.status == ScheduleRun.DONE:
        return None
    if run.status == ScheduleRun.FAILED and proposal and proposal.created_at > run.requested_at:
        return None
    return run


@dataclass(frozen=True, slots=True)
class View:
    """What the page shows: one team (or everyone), optionally one person, one week."""

    team: str  # a case role, or "" for everyone
    person: str  # a worker id, or ""
    week: dt.date  # its Monday


# The specialists who carry most steps: a manager, who holds no case role, starts with them.
DEFAULT_TEAM = "process"


def default_view(user, today: dt.date) -> View:
    """The viewer's own team (their first case role) this week."""
    roles = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    team = next((r for r in CASE_ROLES if r in roles), DEFAULT_TEAM)
    return View(team=team, person="", week=monday(today))


def working_day(now: dt.datetime, cal) -> dt.date:
    """The day of the next working moment: on a Saturday, or a Friday evening, the week the
    page opens on is the coming one, where the planned work is."""
    return cal.at_work_clock(cal.work_clock(now), starting=True).astimezone(cal.tz).date()


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _query(view: View, week: dt.date) -> str:
    return "?" + urlencode({"team": view.team, "person": view.person, "week": week.isoformat()})


def schedule_page(*, now: dt.datetime, view: View) -> dict:
    stamp = read_stamp(now=now)
    proposal = latest_proposal()
    teams = {w: set(roles) & set(CASE_ROLES) for w, roles in stamp.roles.items()}
    context: dict = {
        "proposal": proposal,
        "open_steps": stamp.open_steps,
        "current": False,
        "gantt_svg": "",
        "gives": [],
        "conflicts": [],
        "legend": [],
        "view": view,
        "team_choices": CASE_ROLE_CHOICES,
        "people": sorted(stamp.names.items(), key=lambda kv: kv[1]),
        "prev_week": _query(view, view.week - dt.timedelta(days=7)),
        "next_week": _query(view, view.week + dt.timedelta(days=7)),
        "this_week": _query(view, monday(working_day(now, stamp.clock.cal))),
        **run_context(_run_to_show(proposal)),
    }
    if proposal is None:
        return context
    cal = stamp.clock.cal
    clock = Clock(cal, cal.work_clock(proposal.origin), stamp.clock.slots)
    days = cal.workdays_in(view.week, view.week + dt.timedelta(days=6))
    # The week as a window on the proposal's hour axis; bars are drawn relative to its start.
    lo = clock.day_start(days[0]) if days else 0
    hi = clock.day_start(days[-1]) + clock.slots if days else 0

    def shown(worker: str | None) -> bool:
        if view.person:
            return worker == view.person
        return not view.team or (worker is not None and view.team in teams.get(worker, ()))

    visible = {
        tid: (start, end, worker)
        for tid, (start, end, worker) in proposal.placements.items()
        if end > start and end > lo and start < hi and shown(worker)
    }
    steps = (
        StepRun.objects.select_related("case")
        .only("name", "case_id", "case__reference")
        .in_bulk([int(t) for t in visible])
    )
    summary = proposal.summary.get("cases", {})
    late = {c for c, s in summary.items() if s["new_late"] > 0}
    lanes: dict[str | None, list[Bar]] = defaultdict(list)
    for tid, (start, end, worker) in visible.items():
        step = steps.get(int(tid))
        if step is None:
            continue
        name = term(step.name)
        tip = (
            f"{step.case.reference} {name} · {moment(clock.start_at(start), cal.tz)}"
            f"→{moment(clock.end_at(end), cal.tz)}"
        )
        lanes[worker].append(
            Bar(start - lo, end - lo, name, tip, str(step.case_id), str(step.case_id) in late)
        )
    if view.person:
        lanes.setdefault(view.person, [])
    # Absences are on the hour axis of today's data; the proposal's may start days earlier.
    shift = (stamp.clock.origin_us - clock.origin_us) // clock.slot_us - lo
    rows = [
        Lane(
            stamp.names.get(w, w),
            sorted(bars, key=lambda b: b.start),
            [(a + shift, b + shift) for a, b in stamp.away.get(w, ())],
        )
        for w, bars in sorted(lanes.items(), key=lambda kv: stamp.names.get(kv[0] or "", "~"))
        if w is not None
    ]
    if None in lanes:
        rows.append(Lane(_("部门办理/等待"), sorted(lanes[None], key=lambda b: b.start), []))
    shown_cases = {b.case_id for bars in lanes.values() for b in bars}
    cases = (
        Case.objects.select_related("client", "service")
        .defer(*HEAVY)
        .in_bulk([int(c) for c in shown_cases])
    )
    colours = case_colours(sorted(shown_cases, key=int))
    context["gantt_svg"] = schedule_svg(
        rows,
        days,
        slots=clock.slots,
        now_index=proposal.summary.get("now", 0) - lo,
        today=now.astimezone(cal.tz).date(),
        colours=colours,
        day_width=WEEK_DAY,
    )
    context["legend"] = [
        (colour, cases[int(c)], c in late) for c, colour in colours.items() if int(c) in cases
    ]
    context["current"] = (
        proposal.status == ScheduleProposal.PENDING and stamp.fingerprint == proposal.fingerprint
    )
    gives = _gives(proposal, cases, clock)
    conflicts = [
        c
        for c in proposal.summary.get("conflicts", [])
        # Every week's, for the people shown; a step nobody can do concerns every view.
        if c["worker"] is None or shown(c["worker"])
    ]
    context["gives_drawn"] = len(gives)
    context["conflicts_shown"] = len(conflicts)
    # The earliest conflicts and the costliest cases: lists a manager reads, not the firm's.
    conflicts = sorted(conflicts, key=lambda c: c["at"])[:LISTED]
    named = StepRun.objects.select_related("case").only("name", "case_id", "case__reference")
    named = named.in_bulk([int(s) for c in conflicts for s in c["steps"][:SHOWN]])
    context["gives"] = gives[:LISTED]
    context["gives_total"] = _count_gives(summary)
    context["conflicts"] = [
        Conflict(c["kind"], _conflict_text(c, stamp.names, named), clock.start_at(c["at"]))
        for c in conflicts
    ]
    context["listed"] = LISTED
    context["conflicts_total"] = len(proposal.summary.get("conflicts", []))
    return context


def _count_gives(summary: dict) -> int:
    return sum(1 for s in summary.values() if s["new_end"] - s["plan_end"] > 0 or s["new_late"] > 0)


def _gives(proposal: ScheduleProposal, cases: dict[int, Case], clock: Clock) -> list[Give]:
    """The cases the proposal makes wait (later than the plan) or leaves late, costliest first."""
    out = []
    for cid, s in proposal.summary.get("cases", {}).items():
        case = cases.get(int(cid))
        shift = s["new_end"] - s["plan_end"]
        if case is None or (shift <= 0 and s["new_late"] <= 0):
            continue
        out.append(
            Give(
                case=case,
                deadline=case.requested_deadline,
                plan_finish=clock.end_at(s["plan_end"]),
                new_finish=clock.end_at(s["new_end"]),
                shift_hours=shift,
                late_hours=s["new_late"],
                plan_late_hours=s["plan_late"],
                weight=s["weight"],
                slots=clock.slots,
            )
        )
    return sorted(out, key=lambda g: (-g.cost, -g.shift_hours, g.case.pk))
