from __future__ import annotations

from .selectors import unread_count


def notifications(request):
    """The unread count in the staff navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
