"""Turning a selector's refusal into the HTTP answer every page gives."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from expedite.domain.errors import NotAllowed, NotFound

from .i18n import localized


def access(fn, **kwargs):
    """Call a selector or service; a refusal becomes 403, an unknown record 404, both with the
    reason in the user's language."""
    try:
        return fn(**kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except NotFound as exc:
        raise Http404(localized(exc)) from exc
