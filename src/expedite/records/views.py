"""The evidence package, downloaded from the case page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from expedite.cases import selectors
from expedite.common.access import access

from .evidence import case_evidence


@login_required
@require_POST
def case_evidence_download(request, pk: int):
    """POST: an export builds a file and is recorded, so a link elsewhere cannot trigger it."""
    case = access(selectors.access_case, user=request.user, pk=pk)
    name, data = case_evidence(actor=request.user, case=case)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
