"""The client's portal page as sections that apps register (see `expedite.cases.panels`).

What the client must do now ("您现在需要做的") comes from the apps that ask it
(`register_next_steps`), each from the case's own state; the projected finish comes from
whichever app plans the work (`register_projection`). So the portal imports none of the apps
that show on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from expedite.cases.models import Case
from expedite.cases.panels import Panel, PanelRegistry

portal_page = PanelRegistry()


def register_section(panel: Panel) -> Panel:
    return portal_page.register(panel)


@dataclass(frozen=True)
class Finish:
    date: dt.date
    provisional: bool  # in a year whose holiday arrangement is not published yet


Projection = Callable[[Case, dt.datetime], Finish | None]
_projection: list[Projection] = []


def register_projection(fn: Projection) -> Projection:
    _projection[:] = [fn]
    return fn


def projected_finish(case: Case, *, now: dt.datetime) -> Finish | None:
    return _projection[0](case, now) if _projection else None


@dataclass(frozen=True)
class NextStep:
    """One thing the client must do now, worded for the client, and where on the page."""

    text: str  # already translated: the request's language is active when steps are read
    href: str  # an anchor of a section on the page, or a portal page of its own
    needs_verification: bool = False  # the action asks for 验证身份 first


NextSteps = Callable[[Case, dt.datetime], list[NextStep]]
_next_steps: dict[str, tuple[int, NextSteps]] = {}


def register_next_steps(key: str, order: int, fn: NextSteps) -> NextSteps:
    """Add an app's steps (`key`: the app; registering it again replaces them); the page lists
    them by `order`, the same order as the sections they point to."""
    _next_steps[key] = (order, fn)
    return fn


def next_steps(case: Case, *, now: dt.datetime) -> list[NextStep]:
    found = []
    for _key, (_order, fn) in sorted(_next_steps.items(), key=lambda kv: (kv[1][0], kv[0])):
        found.extend(fn(case, now))
    return found
