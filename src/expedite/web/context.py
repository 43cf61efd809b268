from __future__ import annotations

from django.conf import settings

from expedite.accounts.selectors import staff_display_name, user_can, user_role_labels
from expedite.domain.roles import Capability


def staff_context(request):
    user = getattr(request, "user", None)
    return {
        "firm_name": settings.EXPEDITE_FIRM_NAME,
        "role_labels": user_role_labels(user) if user and user.is_authenticated else [],
        "staff_name": staff_display_name(user) if user and user.is_authenticated else "",
        "can_use_radar": bool(
            user and user.is_authenticated and user_can(user, Capability.USE_RADAR)
        ),
        "can_view_kpi": bool(
            user and user.is_authenticated and user_can(user, Capability.VIEW_KPI)
        ),
    }
