"""The case page's portal section: the link, its QR code, rotate/revoke, client-visible files."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.models import CaseDocument
from expedite.cases.panels import panel_url
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError, NotAllowed, NotFound
from expedite.domain.roles import Capability

from . import links, services
from .forms import VisibleForm
from .qr import qr_svg


def _case(request, pk: int):
    try:
        return case_selectors.access_case(user=request.user, pk=pk)
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except NotFound as exc:
        raise Http404(localized(exc)) from exc


def _current_url(request, case) -> tuple[object, str | None]:
    link = links.current_link(case)
    if link is None:
        return None, None
    path = reverse("portal_case", kwargs={"token": links.token_of(link)})
    # The address clients reach, not the one this member of staff happens to use (an internal
    # host name in a printed QR code would be useless to the client).
    return link, settings.EXPEDITE_PUBLIC_URL.rstrip("/") + path


def portal_context(request, case) -> dict:
    """Merged into the case page (cases.views.case_detail_context)."""
    link, url = _current_url(request, case)
    return {
        "portal_link": link,
        "portal_url": url,
        "portal_qr": mark_safe(qr_svg(url)) if url else "",  # noqa: S308 - segno's own SVG
        "portal_can_manage": user_can(request.user, Capability.MANAGE_PORTAL),
        "portal_documents": case_selectors.case_documents(case),
    }


def _run(request, fn, success: str, **kwargs) -> None:
    try:
        fn(actor=request.user, **kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, success)


@login_required
@require_POST
def link_rotate(request, pk: int):
    case = _case(request, pk)
    _run(
        request,
        services.link_rotate,
        _("已生成新链接，旧链接已失效。"),
        case=case,
        now=clock.now(),
    )
    return redirect(panel_url(case.pk, "portal"))


@login_required
@require_POST
def link_revoke(request, pk: int):
    case = _case(request, pk)
    _run(
        request,
        services.link_revoke,
        _("已撤销链接，客户将无法再打开。"),
        case=case,
        now=clock.now(),
    )
    return redirect(panel_url(case.pk, "portal"))


@login_required
@require_POST
def document_visibility(request, pk: int, doc: int):
    case = _case(request, pk)
    document = CaseDocument.objects.filter(pk=doc, case=case).first()
    if document is None:
        raise Http404(_("找不到该文件。"))
    form = VisibleForm(request.POST)
    visible = form.is_valid() and form.cleaned_data["visible"] == "1"
    _run(
        request,
        services.document_set_client_visible,
        _("客户现在可以下载该文件。") if visible else _("该文件已对客户隐藏。"),
        document=document,
        visible=visible,
    )
    return redirect(panel_url(case.pk, "portal"))


def _url_or_404(request, case) -> str:
    _link, url = _current_url(request, case)
    if url is None:
        raise Http404(_("该加急单当前没有有效的客户进度页链接。"))
    return url


@login_required
def link_qr_page(request, pk: int):
    """A printable page: the QR code, the link, what the client will see."""
    case = _case(request, pk)
    url = _url_or_404(request, case)
    context = {"case": case, "portal_url": url, "portal_qr": mark_safe(qr_svg(url, scale=8))}  # noqa: S308
    response = render(request, "portal/qr_print.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def link_qr_svg(request, pk: int):
    case = _case(request, pk)
    url = _url_or_404(request, case)
    response = HttpResponse(qr_svg(url, scale=8, inline=False), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-portal-qr.svg"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
