"""The case page: a header with the case's state and moves, then the registered panels."""

from __future__ import annotations

from django.utils.translation import get_language

from expedite.accounts.selectors import user_can
from expedite.domain.roles import Capability

from . import panels
from .lifecycle import case_staff_moves
from .models import CASE_STATE_CHOICES


def case_page_context(request, case, *, extra=None) -> dict:
    """The case page: its header and the panels the apps registered (see `panels`)."""
    return {
        "case": case,
        "service_name": case.service.display_name(get_language()),
        "can_move": user_can(request.user, Capability.MOVE_CASE),
        "allowed_states": [(s, dict(CASE_STATE_CHOICES)[s]) for s in case_staff_moves(case)],
        "panels": panels.bind(request, case, extra=extra),
    }
