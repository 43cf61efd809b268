from __future__ import annotations

from django.conf import settings

from expedite.accounts.selectors import staff_display_name, user_role_labels


def staff_context(request):
    user = getattr(request, "user", None)
    return {
        "firm_name": settings.EXPEDITE_FIRM_NAME,
        "role_labels": user_role_labels(user) if user and user.is_authenticated else [],
        "staff_name": staff_display_name(user) if user and user.is_authenticated else "",
    }
