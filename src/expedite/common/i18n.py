"""Showing domain errors in the user's language."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext

from expedite.domain.errors import DomainError


def localized(error: DomainError) -> str:
    """The error's message translated into the active language, placeholders filled in."""
    template = gettext(error.template)
    # Parameters that are field names (marked for translation) follow the language too.
    params = {k: gettext(v) if isinstance(v, str) and v else v for k, v in error.params.items()}
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):
        return error.message


def flash_outcome(request, action, success: str) -> bool:
    """Run a page's action: flash its refusal in the user's language, or `success`. Returns
    whether it went through (a refused action has changed nothing)."""

    try:
        action()
    except DomainError as exc:
        messages.error(request, localized(exc))
        return False
    messages.success(request, success)
    return True
