"""Gantt charts of plans as inline SVG: one row per step, plans stacked on one working-day axis.

The axis is working time, one column per working day labelled with its date, so nights,
weekends and holidays take no space and every bar's length is its working time.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from django.utils.translation import gettext as _

from expedite.domain.calendar import WorkCalendar
from expedite.domain.planning import Plan

ROW = 22
LABEL = 230
DAY = 56
HEADER = 34
TITLE = 24
COLOURS = {
    "critical": "#c2410c",
    "step": "#64748b",
    "material": "#ca8a04",
    "prerequisite": "#7c3aed",
}


def gantt_svg(
    rows: list[tuple[str, Plan]], calendar: WorkCalendar, *, deadline: dt.date | None = None
) -> str:
    """One SVG for several plans (e.g. standard above expedited) sharing a time axis."""
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
    height = HEADER + sum(TITLE + len(p.steps) * ROW + 8 for _t, p in rows)
    x_of = lambda us: LABEL + (us - origin) / day_us * DAY  # noqa: E731
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-size="12" '
        f'font-family="PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif">'
    ]
    start_day = calendar.at_work_clock(origin, starting=True).date()
    for i in range(days):
        day = calendar.add_workdays(start_day, i)
        x = LABEL + i * DAY
        fill = "#f8fafc" if i % 2 else "#ffffff"
        out.append(f'<rect x="{x}" y="0" width="{DAY}" height="{height}" fill="{fill}"/>')
        weekday = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")][
            day.weekday()
        ]
        out.append(
            f'<text x="{x + DAY / 2}" y="14" text-anchor="middle" fill="#334155">{day:%m-%d}</text>'
            f'<text x="{x + DAY / 2}" y="28" text-anchor="middle" fill="#94a3b8">'
            f"{escape(weekday)}</text>"
        )
    y = HEADER
    for title, plan in rows:
        out.append(
            f'<text x="4" y="{y + 16}" font-weight="700" fill="#1f2933">{escape(title)}</text>'
        )
        y += TITLE
        for step in plan.steps:
            s = calendar.work_clock(step.start)
            f = calendar.work_clock(step.finish)
            colour = (
                COLOURS["critical"] if step.critical else COLOURS.get(step.kind, COLOURS["step"])
            )
            label = f"{step.name}（{step.track}）"
            tip = f"{step.name} {step.start:%m-%d %H:%M} → {step.finish:%m-%d %H:%M}"
            out.append(
                f'<text x="4" y="{y + 15}" fill="#334155">{escape(_clip(label, 17))}</text>'
                f'<rect x="{x_of(s):.1f}" y="{y + 4}" width="{max(x_of(f) - x_of(s), 2):.1f}" '
                f'height="{ROW - 8}" rx="3" fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            y += ROW
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


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
