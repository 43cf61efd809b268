"""Pages as panels that apps register, the way lifecycle guards are registered.

`cases` knows no feature app: each app registers what it shows about a case (its template,
the function that builds its context, who may see it) from its AppConfig.ready, and the page
lays the panels out by their order. The client's portal page is built the same way
(`expedite.portal.sections`). A panel's template is one `<section id="{key}">`, so a form
in it can be answered with that panel alone (`panel_response`) instead of the whole page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .models import Case

PanelContext = Callable[[HttpRequest, Case], dict[str, Any]]
PanelVisible = Callable[[HttpRequest, Case], bool]


@dataclass(frozen=True)
class Panel:
    key: str  # the id of the panel's <section>, unique on the page
    order: int  # top to bottom; the cases app's own panels use multiples of 100
    template: str
    context: PanelContext
    visible: PanelVisible | None = None  # None: whoever may open the case
    half: bool = False  # beside the next half-width panel on a wide screen
    lazy: bool = False  # loaded from its own URL once scrolled into view (`case_panel`)


@dataclass(frozen=True)
class BoundPanel:
    panel: Panel
    context: Mapping[str, Any]
    deferred: bool = False  # a lazy panel on the whole page: only its placeholder is drawn

    @property
    def key(self) -> str:
        return self.panel.key


class PanelRegistry:
    """The panels of one page, in order."""

    def __init__(self) -> None:
        self._panels: dict[str, Panel] = {}

    def register(self, panel: Panel) -> Panel:
        """Add a panel; registering a key again replaces it."""
        self._panels[panel.key] = panel
        return panel

    def registered(self) -> list[Panel]:
        return sorted(self._panels.values(), key=lambda p: (p.order, p.key))

    def bind(
        self,
        request: HttpRequest,
        case: Case,
        *,
        only: str | None = None,
        extra: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[BoundPanel]:
        """Build the context of every panel the user may see (or of `only` one); `extra`
        replaces parts of a panel's context, such as a refused form with its errors."""
        bound = []
        for panel in self.registered():
            if only is not None and panel.key != only:
                continue
            if panel.visible is not None and not panel.visible(request, case):
                continue
            if panel.lazy and only is None:
                bound.append(BoundPanel(panel, {}, deferred=True))
                continue
            context = panel.context(request, case)
            if extra and panel.key in extra:
                context = {**context, **extra[panel.key]}
            bound.append(BoundPanel(panel, context))
        return bound


case_page = PanelRegistry()
register_panel = case_page.register
registered = case_page.registered
bind = case_page.bind


def panel_response(
    request: HttpRequest,
    case: Case,
    key: str,
    *,
    extra: Mapping[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """One panel on its own: a lazy panel loading, or a form the page posted with htmx. None
    of the registered panels has that key, or the user may not see it: Http404."""
    bound = bind(request, case, only=key, extra={key: extra or {}})
    if not bound:
        raise Http404(key)
    return render(request, "cases/_panel.html", {"case": case, "p": bound[0]}, status=status)


def panel_url(case_pk: int, key: str) -> str:
    """The case page, scrolled to one panel: where an action on that panel returns to."""
    return reverse("case_detail", args=[case_pk]) + f"#{key}"
