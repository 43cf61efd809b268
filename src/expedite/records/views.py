"""The evidence package, downloaded from the case page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from expedite.cases import selectors
from expedite.common.access import access


@login_required
@require_POST
def case_evidence_download(request, pk: int):
    """POST: an export builds a file and is recorded, so a link elsewhere cannot trigger it."""
    case = access(selectors.access_case, user=request.user, pk=pk)
    # The package's PDF and spreadsheet libraries load when one is built, not with every page.
    from .evidence import case_evidence

    name, data = case_evidence(actor=request.user, case=case)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
