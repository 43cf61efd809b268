"""The case page's delivery section: result files, the confirmation and its signed PDF."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.models import CaseDocument
from expedite.cases.panels import panel_url
from expedite.common.access import access
from expedite.common.i18n import localized
from expedite.domain.delivery import CONFIRMATION_KIND, RESULT_KIND
from expedite.domain.errors import DomainError, NotAllowed
from expedite.domain.roles import Capability
from expedite.portal.views import attachment_headers
from expedite.reviews.selectors import case_reviews, reviewed_result_ids

from . import selectors, services


def delivery_context(request, case) -> dict:
    """Merged into the case page (cases.views.case_detail_context)."""
    # The files and reviews the page's other panels read too (selectors.result_files' order).
    results = sorted(
        (d for d in case_selectors.case_documents(case) if d.kind == RESULT_KIND),
        key=lambda d: (d.uploaded_at, d.pk),
    )
    reviews = case_reviews(user=request.user, case=case)
    reviewed = reviewed_result_ids(case, docs=results, reviews=reviews)
    return {
        "delivery_results": results,
        # Shared with the client: passed in review by someone other than the uploader (the
        # same rule as selectors.client_result_files, on the files already read).
        "delivery_shared": {d.pk for d in results if d.client_visible and d.pk in reviewed},
        "delivery_confirmation": selectors.confirmation_of(case),
        "delivery_can_add": user_can(request.user, Capability.DELIVER_RESULT)
        and case.state in {s.value for s in services.RESULT_STATES},
        "delivery_max_mb": settings.EXPEDITE_MAX_UPLOAD_BYTES // 1024 // 1024,
    }


@login_required
@require_POST
def result_upload(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的结果文件。"))
        return redirect(panel_url(case.pk, "delivery"))
    try:
        services.result_file_add(
            actor=request.user,
            case=case,
            name=upload.name,
            content=upload.read(),
            now=clock.now(),
        )
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(
            request, _("结果文件已上传；经另一位主管复核通过后，客户才能在进度页查看和下载。")
        )
    return redirect(panel_url(case.pk, "delivery"))


@login_required
def delivery_download(request, pk: int, doc: int):
    """A result file or the signed confirmation, for anyone who may see the case."""
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    document = CaseDocument.objects.filter(
        pk=doc, case=case, kind__in=[RESULT_KIND, CONFIRMATION_KIND]
    ).first()
    if document is None:
        raise Http404(_("找不到该文件。"))
    content_type = "application/pdf" if document.name.lower().endswith(".pdf") else None
    response = FileResponse(
        document.file.open("rb"), content_type=content_type or "application/octet-stream"
    )
    return attachment_headers(response, document.name)
