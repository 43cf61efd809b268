"""The board page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.safestring import mark_safe

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.domain.roles import Capability

from .board import board


@login_required
def board_view(request):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied
    context = board(user=request.user, now=clock.now())
    context["workload_svg"] = mark_safe(context["workload_svg"])  # noqa: S308 - built with escape()
    context["can_handle_incident"] = user_can(request.user, Capability.HANDLE_RECORD_INCIDENT)
    return render(request, "desk/board.html", context)
