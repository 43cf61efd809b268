from __future__ import annotations

from .certs import self_signed_warning


def signing(request):
    """`signing_self_signed` for the staff pages' warning (never for the client's portal)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}

    return {"signing_self_signed": self_signed_warning()}
