"""Moving a case from the case page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError

from . import selectors
from .forms import MoveForm
from .lifecycle import case_transition


@login_required
@require_POST
def case_move(request, pk: int):

    case = access(selectors.access_case, user=request.user, pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("case_detail", pk=case.pk)
    try:
        case_transition(
            actor=request.user,
            case=case,
            to=form.cleaned_data["to"],
            now=clock.now(),
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("状态已更新。"))
    return redirect("case_detail", pk=case.pk)
