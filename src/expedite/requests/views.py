from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.cases.forms import add_domain_error
from expedite.common import ratelimit
from expedite.common.addresses import address_group, client_address
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.portal import mask_phone
from expedite.domain.roles import Capability
from expedite.portal.access import mark_verified
from expedite.portal.links import portal_path
from expedite.portal.qr import qr_svg
from expedite.portal.views import too_many

from .forms import RequestForm
from .services import RequestInput, case_request, request_code_send


def _allowed(request, kind: str) -> bool:
    limit, window = settings.EXPEDITE_REQUEST_RATE_LIMITS[kind]
    return ratelimit.hit(
        f"request:{kind}",
        address_group(client_address(request)),
        limit=limit,
        window=window,
        now=clock.now(),
    )


def _limited(request, kind: str):
    _limit, window = settings.EXPEDITE_REQUEST_RATE_LIMITS[kind]
    until = ratelimit.window_end(window=window, now=clock.now())
    return too_many(request, _("提交过于频繁，请稍后再试。"), until=until, back=request.path)


def _send_code(request):
    phone = request.POST.get("phone", "")
    try:
        row = request_code_send(phone=phone, now=clock.now())
    except DomainError as exc:
        messages.error(request, localized(exc))
        return False
    messages.success(
        request,
        _("验证码已发送至 %(to)s，10 分钟内有效。") % {"to": mask_phone(row.phone)},
    )
    return True


def _submit(request, form: RequestForm):
    data = form.cleaned_data
    try:
        result = case_request(
            data=RequestInput(
                phone=data["phone"],
                code=data["code"],
                company=data["company"],
                uscc=data["uscc"],
                contact_name=data["contact_name"],
                email=data["email"],
                channel=data["channel"],
                service_code=data["service"],
                reason=data["reason"],
                answers=form.answers(),
                language=get_language() or "zh-hans",
            ),
            now=clock.now(),
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    path = portal_path(result.case) if result.contact is not None else None
    if path is None:
        # A number the company never registered: whether or not it has such a case open, the
        # page says the same, and nothing of any case.
        return render(request, "requests/received.html", status=200)
    mark_verified(request, result.case, now=clock.now(), contact=result.contact.name)
    if result.repeated:
        messages.info(request, _("这家公司已有同类加急申请在办理中，这是它的进度页面。"))
    else:
        messages.success(
            request,
            _("已收到您的申请（%(ref)s）。请收藏本页，对接专员会尽快联系您。")
            % {"ref": result.case.reference},
        )
    return redirect(path)


@require_http_methods(["GET", "HEAD", "POST"])
def request_page(request):
    """我要加急: the public page where a client starts a request itself."""
    language = get_language() or "zh-hans"
    if request.method != "POST":
        return render(request, "requests/request.html", {"form": RequestForm(language=language)})
    action = request.POST.get("action")
    if action == "code":
        if not _allowed(request, "code"):
            return _limited(request, "code")
        _send_code(request)
        # The answers so far stay on the page; nothing is checked before the code arrives.
        form = RequestForm(initial=request.POST.dict(), language=language)
        return render(request, "requests/request.html", {"form": form, "code_sent": True})
    if not _allowed(request, "submit"):
        return _limited(request, "submit")
    form = RequestForm(request.POST, language=language)
    if form.is_valid():
        if not form.cleaned_data.get("code"):
            form.add_error("code", _("请填写短信验证码。"))
        else:
            response = _submit(request, form)
            if response is not None:
                return response
    return render(request, "requests/request.html", {"form": form}, status=422)


@login_required
@require_GET
def request_qr(request):
    """The public request page as a QR code, to print or post in WeChat."""
    if not user_can(request.user, Capability.VIEW_CASES):
        raise PermissionDenied(_("您的角色无权查看此页面。"))
    url = settings.EXPEDITE_PUBLIC_URL.rstrip("/") + reverse("request_page")
    context = {"url": url, "qr": mark_safe(qr_svg(url, scale=6))}  # noqa: S308 - segno's SVG
    return render(request, "requests/qr.html", context)
