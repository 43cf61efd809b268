"""Pictures of running work as inline SVG: a case's plan against its projection, and workload.

Both use working days as columns, so nights, weekends and holidays take no space.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from expedite.domain.calendar import WorkCalendar

from .selectors import CaseProjection

ROW = 26
LABEL = 220
DAY = 56
HEADER = 34
FONT = "PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
STATE_COLOURS = {"done": "#15803d", "running": "#2563eb", "waiting": "#64748b"}
CRITICAL = "#c2410c"


WEEKDAYS = (
    gettext_noop("周一"),
    gettext_noop("周二"),
    gettext_noop("周三"),
    gettext_noop("周四"),
    gettext_noop("周五"),
    gettext_noop("周六"),
    gettext_noop("周日"),
)


def _weekday(day: dt.date) -> str:
    return _(WEEKDAYS[day.weekday()])


def _axis(out: list[str], days: list[dt.date], height: int, today: dt.date) -> None:
    for i, day in enumerate(days):
        x = LABEL + i * DAY
        fill = "#fff7ed" if day == today else ("#f8fafc" if i % 2 else "#ffffff")
        out.append(f'<rect x="{x}" y="0" width="{DAY}" height="{height}" fill="{fill}"/>')
        out.append(
            f'<text x="{x + DAY / 2}" y="14" text-anchor="middle" fill="#334155">{day:%m-%d}</text>'
            f'<text x="{x + DAY / 2}" y="28" text-anchor="middle" fill="#94a3b8">'
            f"{escape(_weekday(day))}</text>"
        )


def progress_svg(proj: CaseProjection, cal: WorkCalendar, *, now: dt.datetime) -> str:
    """Planned bars (outline) under projected bars (filled by state); now and the deadline."""
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
        f'width="{width}" height="{height}" role="img" font-size="12" font-family="{FONT}">'
    ]
    _axis(out, days, height, now.astimezone(cal.tz).date())
    y = HEADER
    for v in proj.steps:
        ps, pf = cal.work_clock(v.run.planned_start), cal.work_clock(v.run.planned_finish)
        s, f = cal.work_clock(v.start), cal.work_clock(v.finish)
        colour = CRITICAL if v.critical and v.state != "done" else STATE_COLOURS[v.state]
        label = f"{v.run.name}（{v.run.track.name}）"
        late = v.slipped_us > 0
        tip = _("计划") + f" {v.run.planned_start:%m-%d %H:%M}→{v.run.planned_finish:%m-%d %H:%M}"
        tip += " · " + _("预计") + f" {v.start:%m-%d %H:%M}→{v.finish:%m-%d %H:%M}"
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
        f'width="{width}" height="{height}" role="img" font-size="12" font-family="{FONT}">'
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
