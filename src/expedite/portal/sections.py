"""The client's portal page as sections that apps register (see `expedite.cases.panels`).

A section's context may carry `portal_todo`: items for "您现在需要做的", each a code the page
words and an anchor. The projected finish comes from whichever app plans the work
(`register_projection`), so the portal imports none of the apps that show on it.
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
