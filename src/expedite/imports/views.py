"""The import pages: upload, preview with each row's problems, import, report, template."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from expedite import clock
from expedite.cases.spreadsheet import XLSX_TYPE, attachment_name
from expedite.common.access import access
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.imports import SHEET_TITLES, SheetKind

from . import selectors, services, workbooks

MAX_FILES = 5


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment_name(name)
    return response


def _summary_rows(summary: dict) -> list[dict]:
    return [
        {"title": _(SHEET_TITLES[kind]), **summary[kind.value]}
        for kind in SheetKind
        if sum(summary.get(kind.value, {}).values())
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_page(request):
    batches = access(selectors.recent_batches, user=request.user)
    if request.method == "POST":
        uploads = request.FILES.getlist("file")[:MAX_FILES]
        files = []
        for upload in uploads:
            if upload.size > settings.EXPEDITE_MAX_UPLOAD_BYTES:
                messages.error(request, _("文件“%(name)s”过大。") % {"name": upload.name[-100:]})
                return redirect("client_import")
            files.append((upload.name, upload.read()))
        try:
            batch = services.import_preview(actor=request.user, files=files)
        except DomainError as exc:
            messages.error(request, localized(exc))
            return redirect("client_import")
        return redirect("client_import_batch", import_id=batch.pk)
    return render(request, "imports/import_page.html", {"batches": batches})


@login_required
def batch_page(request, import_id: int):
    batch = access(selectors.access_batch, user=request.user, pk=import_id)
    context = {
        "batch": batch,
        "summary": _summary_rows(batch.summary),
        **selectors.batch_view(batch),
    }
    return render(request, "imports/batch_page.html", context)


@login_required
@require_POST
def batch_apply(request, import_id: int):
    batch = access(selectors.access_batch, user=request.user, pk=import_id)
    try:
        batch = services.import_apply(actor=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        done = batch.summary
        messages.success(
            request,
            _("已导入：新建客户 %(new)d 家，更新 %(update)d 家；未导入的行见报告。")
            % {"new": done["clients"]["new"], "update": done["clients"]["update"]},
        )
    return redirect("client_import_batch", import_id=batch.pk)


@login_required
def batch_report(request, import_id: int):
    batch = access(selectors.access_batch, user=request.user, pk=import_id)
    return _xlsx(workbooks.report_bytes(batch), _("导入报告-%(id)d.xlsx") % {"id": batch.pk})


@login_required
def template_download(request):
    if not selectors.may_import(request.user):
        raise PermissionDenied(_("您的角色无权导入客户。"))
    return _xlsx(workbooks.template_bytes(clock.today()), _("客户导入模板.xlsx"))
