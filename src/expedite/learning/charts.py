"""Planned against actual working time per step, as inline SVG (two bars per step)."""

from __future__ import annotations

from html import escape

from django.utils.translation import gettext as _

from .selectors import StepFigures

ROW = 34
LABEL = 170
WIDTH = 640
HEADER = 28
FONT = "PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
PLANNED = "#94a3b8"
ACTUAL_OK = "#15803d"
ACTUAL_OVER = "#c2410c"


def planned_actual_svg(figures: list[StepFigures]) -> str:
    """A grey bar for the plan's mean, a green (within plan) or orange (over) bar for the
    mean actual time; hours at the end of each bar."""
    if not figures:
        return ""
    top = max(max(f.planned_hours, f.actual_hours) for f in figures) or 1
    scale = (WIDTH - LABEL - 70) / top
    height = HEADER + len(figures) * ROW + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" style="max-width:{WIDTH}px" font-family="{FONT}" font-size="12" '
        f'aria-label="{escape(_("各步骤计划与实际用时"))}">',
        f'<rect x="{LABEL}" y="6" width="12" height="10" fill="{PLANNED}"/>'
        f'<text x="{LABEL + 16}" y="15" fill="#334155">{escape(_("计划（平均工时）"))}</text>'
        f'<rect x="{LABEL + 150}" y="6" width="12" height="10" fill="{ACTUAL_OK}"/>'
        f'<text x="{LABEL + 166}" y="15" fill="#334155">{escape(_("实际（平均工时）"))}</text>'
        f'<rect x="{LABEL + 300}" y="6" width="12" height="10" fill="{ACTUAL_OVER}"/>'
        f'<text x="{LABEL + 316}" y="15" fill="#334155">{escape(_("超出计划"))}</text>',
    ]
    for i, f in enumerate(figures):
        y = HEADER + i * ROW
        label = f"{f.name}（{f.runs}）"
        out.append(
            f'<text x="{LABEL - 8}" y="{y + 18}" text-anchor="end" fill="#0f172a">'
            f"{escape(label)}</text>"
        )
        colour = ACTUAL_OVER if f.actual_hours > f.planned_hours else ACTUAL_OK
        for dy, hours, fill, kind in (
            (2, f.planned_hours, PLANNED, "planned"),
            (15, f.actual_hours, colour, "actual"),
        ):
            w = max(1.0, hours * scale)
            out.append(
                f'<rect x="{LABEL}" y="{y + dy}" width="{w:.1f}" height="11" fill="{fill}" '
                f'data-step="{escape(f.code)}" data-kind="{kind}" data-hours="{hours:g}"/>'
                f'<text x="{LABEL + w + 4:.1f}" y="{y + dy + 10}" fill="#334155">{hours:g}h</text>'
            )
    out.append("</svg>")
    return "".join(out)
