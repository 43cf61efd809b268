"""Calendar answers as plain dicts, the same for the CLI's --json and the API."""

from __future__ import annotations

import datetime as dt

from expedite.domain.calendar import WorkCalendar


def day_answer(cal: WorkCalendar, d: dt.date) -> dict:
    info = cal.explain(d)
    return {
        "date": d.isoformat(),
        "workday": info.workday,
        "kind": info.kind.value,
        "name": info.name,
        "provisional": info.provisional,
        "text": info.describe(),
    }


def workdays_answer(cal: WorkCalendar, a: dt.date, b: dt.date) -> dict:
    """The workdays in the closed interval [a, b], listed, for a date picker or a report."""
    days = cal.workdays_in(a, b) if a <= b else []
    return {
        "start": a.isoformat(),
        "end": b.isoformat(),
        "interval": "[start, end]",
        "count": len(days),
        "workdays": [d.isoformat() for d in days],
        "provisional": a <= b and cal.provisional_between(a, b),
    }


def add_answer(cal: WorkCalendar, d: dt.date, n: int) -> dict:
    result = cal.add_workdays(d, n)
    return {
        "date": d.isoformat(),
        "n": n,
        "result": result.isoformat(),
        "provisional": cal.provisional_between(d, result),
    }


def between_answer(cal: WorkCalendar, a: dt.date, b: dt.date) -> dict:
    lo, hi = min(a, b), max(a, b)
    # Provisional only if a counted day is: the interval is half-open, so hi itself is not.
    provisional = lo < hi and cal.provisional_between(lo, hi - dt.timedelta(days=1))
    return {
        "start": a.isoformat(),
        "end": b.isoformat(),
        "interval": "[start, end)",
        "workdays": cal.workdays_between(a, b),
        "provisional": provisional,
    }
