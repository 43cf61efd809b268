"""The materials section of the case page: checklist, versions, findings, verdicts, notice."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.cases import selectors as case_selectors
from expedite.catalog import load_wage_minimums
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.roles import Capability

from . import selectors
from .forms import ReviewForm, UploadForm
from .models import FIELD_LABELS, VERDICT_CHOICES, MaterialSubmission
from .services import prereview_record, submission_add

FIELD_INPUTS = {"date": "date", "wage_base": "number", "amount": "number"}


def field_rows(material) -> list[dict]:
    """The inputs an upload form shows for an item (the wage base also asks for the city)."""
    rows = [
        {"name": f, "label": FIELD_LABELS[f], "type": FIELD_INPUTS.get(f, "text")}
        for f in material.fields
    ]
    if "wage_base" in material.fields:
        cities = sorted({w.city for w in load_wage_minimums()})
        rows.append({"name": "city", "label": FIELD_LABELS["city"], "choices": cities})
    return rows


def materials_context(request, case) -> dict:
    # Every round at once: the open one, the latest finished one and the history.
    rounds = list(case.prereviews.select_related("reviewer").order_by("-round"))
    finished = next((r for r in rounds if r.finished_at is not None), None)
    items = selectors.item_states(case, finished=finished)
    # What the client was sent about the notice: read only when there is one to send.
    sent = list(finished.messages.order_by("number")) if finished and finished.notice else []
    return {
        "material_items": [{"s": s, "fields": field_rows(s.material)} for s in items],
        "material_round": next((r for r in rounds if r.finished_at is None), None),
        "material_finished": finished,
        "material_rounds": rounds,
        "material_messages": sent,
        "material_can_submit": user_can(request.user, Capability.MATERIAL_SUBMIT),
        "material_can_review": user_can(request.user, Capability.MATERIAL_PREREVIEW),
        "material_verdicts": VERDICT_CHOICES,
        "material_max_mb": settings.EXPEDITE_MAX_UPLOAD_BYTES // 1024 // 1024,
        "material_now": clock.now(),
    }


def _back(case):
    response = redirect("case_detail", pk=case.pk)
    response["Location"] += "#materials"
    return response


@login_required
@require_POST
def material_upload(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    form = UploadForm(request.POST, request.FILES, checklist=selectors.checklist(case))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(case)
    material, upload = form.material, form.cleaned_data["file"]
    try:
        submission_add(
            actor=request.user,
            case=case,
            item=material.code,
            name=upload.name,
            content=upload.read(),
            fields=form.posted_fields(),
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已上传“%(item)s”。") % {"item": material.name})
    return _back(case)


@login_required
@require_POST
def material_review(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    form = ReviewForm(request.POST, checklist=selectors.checklist(case))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(case)
    try:
        review = prereview_record(
            actor=request.user, case=case, verdicts=form.verdicts(), now=clock.now()
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        if review.notice:
            messages.success(request, _("预审完成：已生成一次性告知，加急单转为等待客户。"))
        else:
            messages.success(request, _("预审完成：材料全部合格。"))
    return _back(case)


@login_required
@require_GET
def material_download(request, pk: int, submission: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    row = MaterialSubmission.objects.filter(case=case, pk=submission).first()
    if row is None:
        raise Http404("no such file")
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
