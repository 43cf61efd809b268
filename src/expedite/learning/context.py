from __future__ import annotations

from expedite.accounts.selectors import user_can
from expedite.domain.roles import Capability

from .models import FollowUp


def follow_ups(request):
    """The managers' nav link, with the number of low scores still waiting for them."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user_can(user, Capability.RESOLVE_FEEDBACK)):
        return {}

    return {
        "can_resolve_feedback": True,
        "open_follow_ups": FollowUp.objects.filter(resolved_at__isnull=True).count(),
    }
