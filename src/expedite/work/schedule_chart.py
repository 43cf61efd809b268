"""The proposed schedule as a Gantt per person (inline SVG), working days as columns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from .charts import DAY, FONT, HEADER, LABEL, ROW, _axis, _clip

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


def gantt_svg(
    lanes: list[Lane],
    days: list[dt.date],
    *,
    slots: int,
    now_index: int,
    today: dt.date,
    colours: dict[str, str],
) -> str:
    """One row per person: each step as a bar in its case's colour (red edge: the case ends
    late), grey where the person is away, a line at now."""
    days = days[:MAX_DAYS]
    span = len(days) * slots
    width = LABEL + len(days) * DAY + 10
    height = HEADER + max(1, len(lanes)) * ROW + 20

    def x_of(index: int) -> float:
        return LABEL + min(max(index, 0), span) / slots * DAY

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="schedule-gantt" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'font-size="11" font-family="{FONT}">'
    ]
    _axis(out, days, height, today)
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
    x = x_of(now_index)
    out.append(
        f'<line x1="{x:.1f}" y1="{HEADER - 4}" x2="{x:.1f}" y2="{height - 16}" stroke="#0f172a" '
        f'stroke-width="2" stroke-dasharray="2 3"/><text x="{x:.1f}" y="{height - 3}" '
        f'text-anchor="middle" fill="#0f172a">{escape(_("现在"))}</text></svg>'
    )
    return "".join(out)
