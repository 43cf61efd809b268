"""The year's figures per policy, and the report: text and one chart per figure."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

LABELS = {
    "product": "Expedite",
    "fcfs": "First come, first served",
    "edf": "Earliest deadline first",
    "edf_rebalanced": "EDF, re-balanced daily",
    "no_levers": "No levers",
}
SURCHARGE_REFERENCE = 0.20  # the seed's "加急服务比常规贵了20%"
REFERENCE = "the firm's example"


def promise_for(job, cal) -> dt.date:
    """The promised date, moved by the working days the firm waited on the client's materials
    (its clock stops while it waits)."""
    late = job.request.late_days
    return cal.add_workdays(job.promise, late) if late else job.promise


def lead_days(cal, warned: dt.date, due: dt.date) -> int:
    """Working days from the warning's day to the promised day (negative: after it)."""
    if warned <= due:
        return cal.workdays_between(warned, due)
    return -cal.workdays_between(due, warned)


def warned_before(raised: list[dt.datetime], due: dt.date, cal) -> dt.date | None:
    """The day of the last warning (or incident) raised by the promised day's end: a warning
    raised and withdrawn weeks before does not count as warning of this miss."""
    days = [t.astimezone(cal.tz).date() for t in raised]
    days = [d for d in days if d <= due]
    return max(days) if days else None


def figures(year, requests, cal, *, warnings: dict | None = None, alarms=None) -> dict:
    """`warnings`: case pk → the instants the product raised a warning or an incident;
    `alarms`: case pks with a risk warning (the product's run only)."""
    kept = urgent = urgent_kept = 0
    misses, leads, kept_warned = [], [], 0
    for job in year.jobs:
        due = promise_for(job, cal)
        ok = job.delivered is not None and year.date_of(job.delivered) <= due
        kept += ok
        urgent += job.expedited
        urgent_kept += ok and job.expedited
        if ok and alarms is not None and job.ref is not None and job.ref.pk in alarms:
            kept_warned += 1
        if not ok:
            misses.append(job)
            if warnings is not None:
                raised = warnings.get(job.ref.pk, []) if job.ref is not None else []
                day = warned_before(raised, due, cal)
                if day is None and raised:
                    day = min(t.astimezone(cal.tz).date() for t in raised)  # only after it
                leads.append(None if day is None else lead_days(cal, day, due))
    fake = [r for r in requests if r.false_urgency]
    # What the world did to the cases missed (a case may have met several).
    rejected = {j.request.n for j in misses if any(t.rejected_at is not None for t in j.tasks)}
    late = {j.request.n for j in misses if j.request.late_days}
    causes = {
        "rejection": len(rejected),
        "client_late": len(late),
        # Neither: the case waited for its people (or its plan had no room for the draws).
        "other": sum(1 for j in misses if j.request.n not in rejected | late),
        "urgent": sum(1 for j in misses if j.expedited),
    }
    # What became of the requests the clients said were urgent.
    asked = [r for r in requests if r.urgent]
    taken = {j.request.n: j for j in year.jobs}
    urgent_requests = {
        "asked": len(asked),
        "declined": sum(1 for r in asked if r.n not in taken),
        "expedited": sum(1 for r in asked if r.n in taken and taken[r.n].expedited),
        "caught": sum(1 for r in asked if r.n in taken and taken[r.n].caught),
    }
    urgent_requests["standard"] = (
        urgent_requests["asked"]
        - urgent_requests["declined"]
        - urgent_requests["expedited"]
        - urgent_requests["caught"]
    )
    caught = None
    if warnings is not None:
        caught = sum(1 for j in year.jobs if j.caught and j.request.false_urgency)
    # The price of an expedite over the standard fee is the product's quote: the simple
    # policies replay it, so it is the product's figure alone.
    surcharges = [
        j.surcharge
        for j in year.jobs
        if j.levers and j.surcharge is not None and warnings is not None
    ]
    promises = len(year.jobs)
    return {
        "promises": promises,
        "kept": kept,
        "kept_share": kept / promises if promises else None,
        "urgent_promises": urgent,
        "urgent_kept": urgent_kept,
        "misses": len(misses),
        "undelivered": year.undelivered,
        "miss_causes": causes,
        "urgent_requests": urgent_requests,
        "warned_but_kept": None if alarms is None else kept_warned,
        "misses_warned": None if warnings is None else sum(1 for x in leads if x is not None),
        "misses_warned_ahead": None
        if warnings is None
        else sum(1 for x in leads if x is not None and x >= 1),
        "misses_unwarned": None if warnings is None else sum(1 for x in leads if x is None),
        "warning_lead_days": leads,
        "false_urgency": len(fake),
        "false_urgency_caught": caught,
        # 假急 asking for a date not even the fastest plan makes: declined, not caught as 假急.
        "false_urgency_declined": sum(1 for r in year.declined if r.false_urgency),
        # 假急 the firm spent expediting on (levers, surcharge): what catching it prevents.
        "false_urgency_expedited": sum(
            1 for j in year.jobs if j.request.false_urgency and j.levers
        ),
        "false_urgency_flagged": None
        if warnings is None
        else sum(1 for j in year.jobs if j.caught),
        "declined": len(year.declined),
        "overtime_hours": round(year.overtime, 1),
        "surcharge_share": round(sum(surcharges) / len(surcharges), 4) if surcharges else None,
        "with_levers": len(surcharges),
    }


def load_by_role(year, staff, params) -> dict[str, float]:
    """Staff effort the year's steps needed ÷ the hours the people in that role had (before
    absences and overtime): where the firm is short of hands."""
    need: dict[str, float] = {}
    for job in year.jobs:
        for task in job.tasks:
            if not task.office and task.person is not None:
                role = staff.roles[task.person]
                need[role] = need.get(role, 0.0) + task.effort
    days = sum(1 for d in year.days if d.year == params.year)
    have: dict[str, float] = {}
    for role, cap in zip(staff.roles, staff.caps, strict=True):
        have[role] = have.get(role, 0.0) + min(cap, year.day_hours) * days
    return {role: round(need.get(role, 0.0) / have[role], 3) for role in sorted(have)}


def busiest(year, staff, params) -> float:
    """The highest share of a person's hours the steps given to them needed."""
    need: dict[int, float] = {}
    for job in year.jobs:
        for task in job.tasks:
            if not task.office and task.person is not None:
                need[task.person] = need.get(task.person, 0.0) + task.effort
    days = sum(1 for d in year.days if d.year == params.year)
    hours = [min(cap, year.day_hours) * days for cap in staff.caps]
    return round(max((h / hours[p] for p, h in need.items()), default=0.0), 3)


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _n(x) -> str:
    return "—" if x is None else f"{x}"


def table(result: dict) -> str:
    pol = result["policies"]
    names = list(pol)
    rows = [
        ("promises", lambda f: _n(f["promises"])),
        ("kept", lambda f: f"{f['kept']} ({_pct(f['kept_share'])})"),
        (
            "urgent kept",
            lambda f: (
                f"{f['urgent_kept']}/{f['urgent_promises']}"
                f" ({_pct(f['urgent_kept'] / f['urgent_promises'] if f['urgent_promises'] else None)})"
            ),
        ),
        ("misses", lambda f: _n(f["misses"])),
        ("  of which an authority sent back", lambda f: _n(f["miss_causes"]["rejection"])),
        ("  of which the client was late", lambda f: _n(f["miss_causes"]["client_late"])),
        ("  of which neither", lambda f: _n(f["miss_causes"]["other"])),
        ("misses warned >= 1 wd ahead", lambda f: _n(f["misses_warned_ahead"])),
        ("misses never warned", lambda f: _n(f["misses_unwarned"])),
        ("kept cases that had a warning", lambda f: _n(f["warned_but_kept"])),
        (
            "假急 caught",
            lambda f: (
                "—"
                if f["false_urgency_caught"] is None
                else f"{f['false_urgency_caught']}/{f['false_urgency']}"
            ),
        ),
        ("假急 declined (no plan in time)", lambda f: _n(f["false_urgency_declined"])),
        ("假急 expedited anyway", lambda f: _n(f["false_urgency_expedited"])),
        ("overtime hours", lambda f: f"{f['overtime_hours']:.0f}"),
        ("busiest person's load", lambda f: _pct(f.get("busiest_load"))),
        ("expedite price over standard (seed: +20%)", lambda f: _pct(f["surcharge_share"])),
    ]
    width = max(len(r[0]) for r in rows) + 2
    col = max(26, *(len(LABELS[n]) + 2 for n in names))
    out = ["".ljust(width) + "".join(LABELS[n].rjust(col) for n in names)]
    for label, fmt in rows:
        out.append(label.ljust(width) + "".join(fmt(pol[n]).rjust(col) for n in names))
    return "\n".join(out)


def goals(result: dict) -> list[tuple[str, bool]]:
    p, edf = result["policies"]["product"], result["policies"]["edf"]
    return [
        (f"promises kept >= 99%: {_pct(p['kept_share'])}", (p["kept_share"] or 0) >= 0.99),
        (
            f"every miss warned >= 1 working day ahead: {p['misses_warned_ahead']}/{p['misses']}",
            p["misses_warned_ahead"] == p["misses"],
        ),
        (
            f"fewer misses than earliest deadline first: {p['misses']} vs {edf['misses']}",
            p["misses"] < edf["misses"],
        ),
        (
            "fewer misses than earliest deadline first re-balanced daily: "
            f"{p['misses']} vs {result['policies']['edf_rebalanced']['misses']}",
            p["misses"] < result["policies"]["edf_rebalanced"]["misses"],
        ),
    ]


def _bars(title: str, values: list[tuple[str, float | None]], *, unit: str = "") -> str:
    """A horizontal bar chart, one bar per policy."""
    top = max((v for _n, v in values if v is not None), default=0) or 1
    height = 40 + 28 * len(values)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{height}" '
        f'font-family="sans-serif" font-size="13" role="img" aria-label="{escape(title)}">',
        f'<text x="8" y="20" font-weight="bold">{escape(title)}</text>',
    ]
    for k, (name, v) in enumerate(values):
        y = 34 + 28 * k
        out.append(f'<text x="8" y="{y + 15}">{escape(name)}</text>')
        if v is None:
            out.append(f'<text x="210" y="{y + 15}">—</text>')
            continue
        w = 340 * v / top
        colour = {LABELS["product"]: "#2f6fb0", REFERENCE: "#d98c1f"}.get(name, "#9aa5b1")
        out.append(f'<rect x="210" y="{y}" width="{w:.1f}" height="20" fill="{colour}"/>')
        label = f"{100 * v:.1f}%" if unit == "%" else f"{v:,.0f}{unit}"
        out.append(f'<text x="{216 + w:.1f}" y="{y + 15}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _leads_chart(leads: list) -> str:
    """The product's misses by how many working days ahead it first warned."""
    buckets = {"never": 0, "after": 0, "0": 0, "1": 0, "2": 0, "3-5": 0, "6+": 0}
    for x in leads:
        key = (
            "never"
            if x is None
            else "after"
            if x < 0
            else str(x)
            if x <= 2
            else "3-5"
            if x <= 5
            else "6+"
        )
        buckets[key] += 1
    return _bars(
        "Misses by working days of warning before the promised date (Expedite)",
        list(buckets.items()),
    )


def write_report(result: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    pol = result["policies"]
    charts = {
        "kept.svg": _bars(
            "Promises kept", [(LABELS[n], f["kept_share"]) for n, f in pol.items()], unit="%"
        ),
        "urgent_kept.svg": _bars(
            "Urgent promises kept",
            [
                (
                    LABELS[n],
                    f["urgent_kept"] / f["urgent_promises"] if f["urgent_promises"] else None,
                )
                for n, f in pol.items()
            ],
            unit="%",
        ),
        "misses.svg": _bars("Misses", [(LABELS[n], f["misses"]) for n, f in pol.items()]),
        "warning_lead.svg": _leads_chart(pol["product"]["warning_lead_days"]),
        "false_urgency.svg": _bars(
            "假急 caught at triage",
            [
                (
                    LABELS[n],
                    None
                    if f["false_urgency_caught"] is None
                    else f["false_urgency_caught"] / (f["false_urgency"] or 1),
                )
                for n, f in pol.items()
            ],
            unit="%",
        ),
        "overtime.svg": _bars(
            "Overtime (hours)", [(LABELS[n], f["overtime_hours"]) for n, f in pol.items()]
        ),
        "surcharge.svg": _bars(
            "Expedite price over the standard fee (the firm's example: +20%)",
            [(REFERENCE, SURCHARGE_REFERENCE)]
            + [(LABELS[n], f["surcharge_share"]) for n, f in pol.items()],
            unit="%",
        ),
    }
    written = []
    for name, svg in charts.items():
        (out / name).write_text(svg + "\n", encoding="utf-8")
        written.append(out / name)
    lines = [
        f"# A firm-year in simulation (seed {result['seed']}, {result['year']})",
        "",
        f"{result['staff']} staff, {result['requests']} requests of which {result['urgent']} "
        f"urgent; run in {result['wall_seconds']:.0f} s. See docs/simulation.md for the model.",
        "",
        "```",
        table(result),
        "```",
        "",
        "Goals:",
        "",
        *[f"- {'met' if ok else 'NOT met'}: {text}" for text, ok in goals(result)],
        "",
        *[f"![{name}]({name})" for name in charts],
        "",
    ]
    report = out / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    return [report, *written]
