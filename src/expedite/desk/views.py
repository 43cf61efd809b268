"""The board page, and its load section drawn after it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.safestring import mark_safe

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.domain.roles import Capability

from .board import board, board_load


def _page(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


@login_required
def board_view(request):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied
    context = board(user=request.user, now=clock.now(), page=_page(request))
    context["can_handle_incident"] = user_can(request.user, Capability.HANDLE_RECORD_INCIDENT)
    return render(request, "desk/board.html", context)


@login_required
def board_load_view(request):
    """Everyone's load for the next working days and who waits for whom (firm-wide)."""
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied
    context = board_load(now=clock.now())
    context["workload_svg"] = mark_safe(context["workload_svg"])  # noqa: S308 - built with escape()
    # Without script the link opens it as a page of its own.
    template = "desk/_board_load.html" if request.htmx else "desk/board_load.html"
    return render(request, template, context)
