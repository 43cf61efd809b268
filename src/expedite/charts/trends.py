"""Figures over time and side by side as inline SVG, in the house style of the timelines
(`charts.timeline`): monthly KPI lines with the firm's claimed target as a dashed reference,
grouped bars of durations per service, and planned against actual time per step (learning).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from .timeline import FONT, _clip

WIDTH = 520
HEIGHT = 210
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 18, 34
TARGET = "#b91c1c"
COLOURS = ("#2563eb", "#15803d", "#ca8a04", "#7c3aed")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # one per month; None: nothing counted that month


def _pct(v: float) -> str:
    return f"{v * 100:.0f}%" if abs(v * 100 - round(v * 100)) < 0.05 else f"{v * 100:.1f}%"


def _fmt(v: float, *, percent: bool) -> str:
    return _pct(v) if percent else f"{v:g}"


def line_svg(
    *,
    months: list[dt.date],
    series: list[Series],
    percent: bool = True,
    target: float | None = None,
    target_label: str = "",
    floor: float | None = None,
    ceiling: float | None = None,
) -> str:
    """Months across, values up; a gap where a month has no value. The y range covers the data
    and the target, clamped to [floor, ceiling] when given (0–100% for rates)."""
    values = [v for s in series for v in s.values if v is not None]
    if target is not None:
        values.append(target)
    lo = min(values, default=0.0)
    hi = max(values, default=1.0)
    if percent:
        lo, hi = max(0.0, lo - 0.05), min(1.0, hi + 0.02) if hi <= 1 else hi + 0.05
    else:
        pad = (hi - lo) * 0.1 or 0.5
        lo, hi = lo - pad, hi + pad
    if floor is not None:
        lo = max(lo, floor)
    if ceiling is not None:
        hi = min(hi, ceiling)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(months), 1)

    def x(i: int) -> float:
        return LEFT + step * (i + 0.5)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="100%" style="max-width:{WIDTH}px" role="img" font-size="11" font-family="{FONT}">'
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        out.append(
            f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{WIDTH - RIGHT}" y2="{y(v):.1f}" '
            f'stroke="#e2e8f0"/><text x="{LEFT - 4}" y="{y(v) + 4:.1f}" text-anchor="end" '
            f'fill="#94a3b8">{escape(_fmt(v, percent=percent))}</text>'
        )
    for i, month in enumerate(months):
        out.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'fill="#334155">{month:%Y-%m}</text>'
        )
    if target is not None:
        label = escape(target_label or _("目标"))
        out.append(
            f'<line class="target" x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y(target):.1f}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT}" y="{y(target) - 4:.1f}" text-anchor="end" '
            f'fill="{TARGET}">{label} {escape(_fmt(target, percent=percent))}</text>'
        )
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        run: list[str] = []
        for i, v in enumerate(s.values):
            if v is None:
                if len(run) > 1:
                    out.append(_polyline(run, colour))
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            tip = f"{s.name} {months[i]:%Y-%m}: {_fmt(v, percent=percent)}"
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        if len(run) > 1:
            out.append(_polyline(run, colour))
    _legend(out, [s.name for s in series], y0=HEIGHT - 6)
    out.append("</svg>")
    return "".join(out)


def _polyline(points: list[str], colour: str) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>'


def _legend(out: list[str], names: list[str], *, y0: float) -> None:
    x0 = LEFT
    for n, name in enumerate(names):
        colour = COLOURS[n % len(COLOURS)]
        out.append(
            f'<rect x="{x0}" y="{y0 - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x0 + 14}" y="{y0 + 1}" fill="#334155">{escape(name)}</text>'
        )
        x0 += 24 + 12 * len(name)


BAR_ROW = 46
BAR_LABEL = 150


def bars_svg(
    rows: list[tuple[str, list[float | None]]], names: list[str], *, label_chars: int = 12
) -> str:
    """One group per row (a service): a bar for each figure, labelled with its value. Row
    labels longer than `label_chars` are cut (12 Chinese characters fill the label column;
    about twice as many Latin letters do)."""
    top = max((v for _n, vs in rows for v in vs if v is not None), default=1.0) or 1.0
    width = WIDTH + 120
    plot_w = width - BAR_LABEL - 50
    height = TOP + len(rows) * BAR_ROW + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-bars" viewBox="0 0 {width} {height}"'
        f' width="100%" style="max-width:{width}px" role="img" font-size="11" font-family="{FONT}">'
    ]
    y = TOP
    bar_h = (BAR_ROW - 10) / max(len(names), 1)
    for label, values in rows:
        text = escape(_clip(label, label_chars))
        out.append(f'<text x="4" y="{y + BAR_ROW / 2:.1f}" fill="#334155">{text}</text>')
        for n, v in enumerate(values):
            by = y + n * bar_h
            if v is None:
                out.append(
                    f'<text x="{BAR_LABEL}" y="{by + bar_h - 2:.1f}" fill="#94a3b8">—</text>'
                )
                continue
            w = max(plot_w * v / top, 1)
            out.append(
                f'<rect x="{BAR_LABEL}" y="{by:.1f}" width="{w:.1f}" height="{bar_h - 2:.1f}" '
                f'fill="{COLOURS[n % len(COLOURS)]}"><title>{escape(names[n])}: {v:.1f}'
                f"</title></rect>"
                f'<text x="{BAR_LABEL + w + 4:.1f}" y="{by + bar_h - 3:.1f}" fill="#334155">'
                f"{v:.1f}</text>"
            )
        y += BAR_ROW
    _legend(out, names, y0=height - 6)
    out.append("</svg>")
    return "".join(out)


# Planned against actual working time per step: two bars per step.
STEP_ROW = 34
STEP_LABEL = 170
STEP_WIDTH = 640
STEP_HEADER = 28
PLANNED = "#94a3b8"
ACTUAL_OK = "#15803d"
ACTUAL_OVER = "#c2410c"


def planned_actual_svg(figures, *, term: Callable[[str], str] = str) -> str:
    """A grey bar for the plan's mean, a green (within plan) or orange (over) bar for the
    mean actual time; hours at the end of each bar. `term` gives the catalog's step names in
    the reader's language."""
    if not figures:
        return ""
    top = max(max(f.planned_hours, f.actual_hours) for f in figures) or 1
    scale = (STEP_WIDTH - STEP_LABEL - 70) / top
    height = STEP_HEADER + len(figures) * STEP_ROW + 8
    title = escape(_("各步骤计划与实际用时"))
    planned, actual, over = (
        escape(_("计划（平均工时）")),
        escape(_("实际（平均工时）")),
        escape(_("超出计划")),
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {STEP_WIDTH} {height}" '
        f'width="100%" style="max-width:{STEP_WIDTH}px" font-family="{FONT}" font-size="12" '
        f'aria-label="{title}">',
        f'<rect x="{STEP_LABEL}" y="6" width="12" height="10" fill="{PLANNED}"/>'
        f'<text x="{STEP_LABEL + 16}" y="15" fill="#334155">{planned}</text>'
        f'<rect x="{STEP_LABEL + 150}" y="6" width="12" height="10" fill="{ACTUAL_OK}"/>'
        f'<text x="{STEP_LABEL + 166}" y="15" fill="#334155">{actual}</text>'
        f'<rect x="{STEP_LABEL + 300}" y="6" width="12" height="10" fill="{ACTUAL_OVER}"/>'
        f'<text x="{STEP_LABEL + 316}" y="15" fill="#334155">{over}</text>',
    ]
    for i, f in enumerate(figures):
        y = STEP_HEADER + i * STEP_ROW
        label = _("%(step)s（%(runs)s）") % {"step": term(f.name), "runs": f.runs}
        out.append(
            f'<text x="{STEP_LABEL - 8}" y="{y + 18}" text-anchor="end" fill="#0f172a">'
            f"{escape(label)}</text>"
        )
        colour = ACTUAL_OVER if f.actual_hours > f.planned_hours else ACTUAL_OK
        for dy, hours, fill, kind in (
            (2, f.planned_hours, PLANNED, "planned"),
            (15, f.actual_hours, colour, "actual"),
        ):
            w = max(1.0, hours * scale)
            out.append(
                f'<rect x="{STEP_LABEL}" y="{y + dy}" width="{w:.1f}" height="11" fill="{fill}" '
                f'data-step="{escape(f.code)}" data-kind="{kind}" data-hours="{hours:g}"/>'
                f'<text x="{STEP_LABEL + w + 4:.1f}" y="{y + dy + 10}" fill="#334155">'
                f"{hours:g}h</text>"
            )
    out.append("</svg>")
    return "".join(out)
