"""Pictures of work over time as inline SVG, all on one axis of working days: a case's plans
(standard above expedited), its progress against the plan, the firm's workload, and the
proposed schedule per person.

One column per working day labelled with its date, so nights, weekends and holidays take no
space and a bar's length is its working time. Built with escape() from the caller's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from expedite.domain.calendar import WEEKDAYS_ZH, WorkCalendar
from expedite.domain.planning import Plan

ROW = 26
LABEL = 220
DAY = 56
HEADER = 34
FONT = "PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
STATE_COLOURS = {"done": "#15803d", "running": "#2563eb", "waiting": "#64748b"}
CRITICAL = "#c2410c"

# Each picture's accessible name (outside the f-strings, where message extraction finds them).
PLAN_LABEL = gettext_lazy("计划甘特图")
PROGRESS_LABEL = gettext_lazy("办理进度")
WORKLOAD_LABEL = gettext_lazy("人员负荷")
SCHEDULE_LABEL = gettext_lazy("排期")


def _same(text: str) -> str:
    return text


def _step_label(step: str, track: str) -> str:
    return _("%(step)s（%(track)s）") % {"step": step, "track": track}


def _weekday(day: dt.date) -> str:
    return _(WEEKDAYS_ZH[day.weekday()])


def moment(t: dt.datetime, tz: dt.tzinfo) -> str:
    """t as month-day hour:minute on the firm's wall clock; stored instants come back in UTC."""
    return f"{t.astimezone(tz):%m-%d %H:%M}"


def _axis(
    out: list[str], days: list[dt.date], height: int, today: dt.date | None, day_width: int = DAY
) -> None:
    w = day_width
    for i, day in enumerate(days):
        x = LABEL + i * w
        fill = "#fff7ed" if day == today else ("#f8fafc" if i % 2 else "#ffffff")
        out.append(f'<rect x="{x}" y="0" width="{w}" height="{height}" fill="{fill}"/>')
        out.append(
            f'<text x="{x + w / 2}" y="14" text-anchor="middle" fill="#334155">{day:%m-%d}</text>'
            f'<text x="{x + w / 2}" y="28" text-anchor="middle" fill="#94a3b8">'
            f"{escape(_weekday(day))}</text>"
        )


# A plan's rows are lower and carry a title per plan.
PLAN_ROW = 22
PLAN_TITLE = 24
PLAN_COLOURS = {
    "critical": "#c2410c",
    "step": "#64748b",
    "material": "#ca8a04",
    "prerequisite": "#7c3aed",
}


def plan_svg(
    rows: list[tuple[str, Plan]],
    calendar: WorkCalendar,
    *,
    deadline: dt.date | None = None,
    term: Callable[[str], str] = _same,
) -> str:
    """One SVG for several plans (e.g. standard above expedited) sharing a time axis.
    `term` gives the catalog's step and track names in the reader's language."""
    day_us = calendar.hours.day_us
    first = min(p.start for _t, p in rows)
    last = max(p.finish for _t, p in rows)
    origin = calendar.work_clock(first) // day_us * day_us
    end = calendar.work_clock(last)
    days = max(1, -(-(end - origin) // day_us))
    if deadline is not None:
        cutoff = calendar.work_clock_end_of(deadline)
        days = max(days, min(-(-(cutoff - origin) // day_us), days + 20))
    width = LABEL + days * DAY + 70  # room for the deadline label
    height = HEADER + sum(PLAN_TITLE + len(p.steps) * PLAN_ROW + 8 for _t, p in rows)
    x_of = lambda us: LABEL + (us - origin) / day_us * DAY  # noqa: E731
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(str(PLAN_LABEL))}" '
        f'font-size="12" font-family="{FONT}">'
    ]
    start_day = calendar.at_work_clock(origin, starting=True).date()
    _axis(out, [calendar.add_workdays(start_day, i) for i in range(days)], height, None)
    y = HEADER
    for title, plan in rows:
        out.append(
            f'<text x="4" y="{y + 16}" font-weight="700" fill="#1f2933">{escape(title)}</text>'
        )
        y += PLAN_TITLE
        for step in plan.steps:
            s = calendar.work_clock(step.start)
            f = calendar.work_clock(step.finish)
            colour = (
                PLAN_COLOURS["critical"]
                if step.critical
                else PLAN_COLOURS.get(step.kind, PLAN_COLOURS["step"])
            )
            label = _step_label(term(step.name), term(step.track))
            tz = calendar.tz
            tip = f"{term(step.name)} {moment(step.start, tz)} → {moment(step.finish, tz)}"
            out.append(
                f'<text x="4" y="{y + 15}" fill="#334155">{escape(_clip(label, 17))}</text>'
                f'<rect x="{x_of(s):.1f}" y="{y + 4}" width="{max(x_of(f) - x_of(s), 2):.1f}" '
                f'height="{PLAN_ROW - 8}" rx="3" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            y += PLAN_ROW
        y += 8
    if deadline is not None:
        x = x_of(calendar.work_clock_end_of(deadline))
        label = _("截止") + f" {deadline:%m-%d}"
        if x > width - 70:  # beyond the chart: say so at its right edge
            x = width - 70
            label += " →"
        out.append(
            f'<line x1="{x:.1f}" y1="{HEADER - 4}" x2="{x:.1f}" y2="{height}" stroke="#b91c1c" '
            f'stroke-width="2" stroke-dasharray="5 4"/>'
            f'<text x="{x + 3:.1f}" y="{HEADER + 10}" fill="#b91c1c">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def progress_svg(
    proj, cal: WorkCalendar, *, now: dt.datetime, term: Callable[[str], str] = _same
) -> str:
    """Planned bars (outline) under projected bars (filled by state); now and the deadline.
    `term` gives the catalog's step and track names in the reader's language."""
    day_us = cal.hours.day_us
    starts = [cal.work_clock(v.run.planned_start) for v in proj.steps]
    starts += [cal.work_clock(v.start) for v in proj.steps]
    ends = [cal.work_clock(v.run.planned_finish) for v in proj.steps]
    ends += [cal.work_clock(v.finish) for v in proj.steps]
    ends.append(cal.work_clock(proj.deadline_end))
    origin = min(starts) // day_us * day_us
    span = max(1, -(-(max(ends) - origin) // day_us))
    span = min(span, 60)
    first = cal.at_work_clock(origin, starting=True).date()
    days = [cal.add_workdays(first, i) for i in range(span)]
    width = LABEL + span * DAY + 44  # room for the deadline's label
    height = HEADER + len(proj.steps) * ROW + 22  # and a line under the bars for both labels
    limit = origin + span * day_us

    def x_of(us: int) -> float:
        return LABEL + (min(max(us, origin), limit) - origin) / day_us * DAY

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(str(PROGRESS_LABEL))}" '
        f'font-size="12" font-family="{FONT}">'
    ]
    _axis(out, days, height, now.astimezone(cal.tz).date())
    y = HEADER
    for v in proj.steps:
        ps, pf = cal.work_clock(v.run.planned_start), cal.work_clock(v.run.planned_finish)
        s, f = cal.work_clock(v.start), cal.work_clock(v.finish)
        colour = CRITICAL if v.critical and v.state != "done" else STATE_COLOURS[v.state]
        label = _step_label(term(v.run.name), term(v.run.track.name))
        late = v.slipped
        planned = f"{moment(v.run.planned_start, cal.tz)}→{moment(v.run.planned_finish, cal.tz)}"
        tip = _("计划") + f" {planned} · " + _("预计") + f" {moment(v.start, cal.tz)}→"
        tip += moment(v.finish, cal.tz)
        out.append(
            f'<text x="4" y="{y + 17}" fill="{"#b91c1c" if late else "#334155"}">'
            f"{escape(_clip(label, 16))}</text>"
            f'<rect x="{x_of(ps):.1f}" y="{y + 3}" width="{max(x_of(pf) - x_of(ps), 2):.1f}" '
            f'height="{ROW - 6}" rx="3" fill="none" stroke="#94a3b8" stroke-dasharray="3 2"/>'
            f'<rect x="{x_of(s):.1f}" y="{y + 7}" width="{max(x_of(f) - x_of(s), 2):.1f}" '
            f'height="{ROW - 14}" rx="2" fill="{colour}"><title>{escape(tip)}</title></rect>'
        )
        y += ROW
    for us, colour, text, dash in (
        (cal.work_clock(now), "#0f172a", _("现在"), "2 3"),
        (cal.work_clock(proj.deadline_end), "#b91c1c", _("截止"), "5 4"),
    ):
        x = x_of(us)
        out.append(
            f'<line x1="{x:.1f}" y1="{HEADER - 4}" x2="{x:.1f}" y2="{height - 16}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{x:.1f}" y="{height - 3}" text-anchor="middle" fill="{colour}">'
            f"{escape(text)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def workload_svg(
    rows: list[tuple[str, list[tuple[float, float]]]], days: list[dt.date], today: dt.date
) -> str:
    """One row per person: each working day's planned hours against capacity (0 = away)."""
    width = LABEL + len(days) * DAY + 10
    height = HEADER + len(rows) * ROW + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workload" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(str(WORKLOAD_LABEL))}" '
        f'font-size="12" font-family="{FONT}">'
    ]
    _axis(out, days, height, today)
    away, off = escape(_("请假/外出")), escape(_("休"))
    y = HEADER
    for name, cells in rows:
        out.append(f'<text x="4" y="{y + 17}" fill="#334155">{escape(_clip(name, 14))}</text>')
        for i, (hours, capacity) in enumerate(cells):
            x = LABEL + i * DAY + 4
            w = DAY - 8
            if capacity <= 0:
                out.append(
                    f'<rect x="{x}" y="{y + 4}" width="{w}" height="{ROW - 8}" fill="#e2e8f0">'
                    f"<title>{away}</title></rect>"
                    f'<text x="{x + w / 2}" y="{y + 17}" text-anchor="middle" fill="#64748b">'
                    f"{off}</text>"
                )
                continue
            ratio = hours / capacity
            colour = "#15803d" if ratio <= 0.8 else ("#ca8a04" if ratio <= 1.0 else "#b91c1c")
            fill_w = w * min(ratio, 1.0)
            out.append(
                f'<rect x="{x}" y="{y + 4}" width="{w}" height="{ROW - 8}" fill="#f1f5f9"/>'
                f'<rect x="{x}" y="{y + 4}" width="{fill_w:.1f}" height="{ROW - 8}" '
                f'fill="{colour}" opacity="0.85"><title>{hours:g}/{capacity:g} h</title></rect>'
                f'<text x="{x + w / 2}" y="{y + 17}" text-anchor="middle" '
                f'fill="{"#fff" if ratio > 0.5 else "#334155"}">{hours:g}</text>'
            )
        y += ROW
    out.append("</svg>")
    return "".join(out)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


PALETTE = ("#2563eb", "#0d9488", "#7c3aed", "#ca8a04", "#db2777", "#4d7c0f", "#0369a1", "#9a3412")
MAX_DAYS = 30


@dataclass(frozen=True, slots=True)
class Bar:
    start: int  # hour index
    end: int
    label: str
    tip: str
    case_id: str
    late: bool


@dataclass(frozen=True, slots=True)
class Lane:
    name: str
    bars: list[Bar]
    blocked: list[tuple[int, int]]


def case_colours(case_ids: list[str]) -> dict[str, str]:
    """A colour per case, in the order given (the page's legend uses the same)."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(dict.fromkeys(case_ids))}


def schedule_svg(
    lanes: list[Lane],
    days: list[dt.date],
    *,
    slots: int,
    now_index: int,
    today: dt.date,
    colours: dict[str, str],
    day_width: int = DAY,
) -> str:
    """One row per person: each step as a bar in its case's colour (red edge: the case ends
    late), grey where the person is away, a line at now."""
    days = days[:MAX_DAYS]
    span = len(days) * slots
    width = LABEL + len(days) * day_width + 10
    height = HEADER + max(1, len(lanes)) * ROW + 20

    def x_of(index: int) -> float:
        return LABEL + min(max(index, 0), span) / slots * day_width

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="schedule-gantt" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(str(SCHEDULE_LABEL))}" font-size="11" font-family="{FONT}">'
    ]
    _axis(out, days, height, today, day_width)
    away = escape(_("请假/外出"))
    y = HEADER
    for lane in lanes:
        out.append(
            f'<text x="4" y="{y + 17}" fill="#334155" class="lane">{escape(_clip(lane.name, 14))}'
            "</text>"
        )
        for s, e in lane.blocked:
            if e <= 0 or s >= span:
                continue
            out.append(
                f'<rect x="{x_of(s):.1f}" y="{y + 2}" width="{x_of(e) - x_of(s):.1f}" '
                f'height="{ROW - 4}" fill="#e2e8f0"><title>{away}</title></rect>'
            )
        for b in lane.bars:
            colour = colours.get(b.case_id, PALETTE[0])
            x, w = x_of(b.start), max(x_of(b.end) - x_of(b.start), 3)
            edge = ' stroke="#b91c1c" stroke-width="2"' if b.late else ""
            out.append(
                f'<g class="bar"><rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" '
                f'height="{ROW - 8}" rx="3" fill="{colour}"{edge}>'
                f"<title>{escape(b.tip)}</title></rect>"
            )
            if w > 30:
                out.append(
                    f'<text x="{x + 3:.1f}" y="{y + 17}" fill="#fff">'
                    f"{escape(_clip(b.label, max(2, int(w // 11))))}</text>"
                )
            out.append("</g>")
        y += ROW
    # A week shown before or after now has no now line (it would sit on the edge).
    if 0 <= now_index <= span:
        x = x_of(now_index)
        out.append(
            f'<line x1="{x:.1f}" y1="{HEADER - 4}" x2="{x:.1f}" y2="{height - 16}" '
            f'stroke="#0f172a" stroke-width="2" stroke-dasharray="2 3"/><text x="{x:.1f}" '
            f'y="{height - 3}" text-anchor="middle" fill="#0f172a">{escape(_("现在"))}</text>'
        )
    out.append("</svg>")
    return "".join(out)
