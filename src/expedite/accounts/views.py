from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login

from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError, ValidationFailed

from . import selectors, services, twofactor
from .forms import ThrottledAuthenticationForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = settings.EXPEDITE_OIDC_ENABLED
        context["sso_name"] = settings.EXPEDITE_OIDC_NAME
        return context

    def form_valid(self, form):
        user = form.get_user()
        step = twofactor.second_step(user)
        if step is None:
            return super().form_valid(form)
        # The password was right; the person is signed in only once the code is.
        twofactor.hold(self.request, user)
        self.request.session[NEXT_KEY] = self.get_success_url()
        return redirect("login_code" if step == "code" else "login_enrol")


NEXT_KEY = "half_login_next"


def _finish(request, user, device):
    auth_login(request, user, backend=user.backend)
    otp_login(request, device)
    target = request.session.pop(NEXT_KEY, "") or resolve_url(settings.LOGIN_REDIRECT_URL)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    return redirect(target)


def _code(request) -> str:
    return "".join(ch for ch in request.POST.get("code", "") if ch.isascii() and ch.isdigit())[:6]


def _wrong(request, where: str):
    if twofactor.count_try(request):
        messages.error(request, _("动态验证码不正确或已使用，请输入应用当前显示的 6 位数字。"))
        return redirect(where)
    messages.error(request, _("错误次数过多，请重新登录。"))
    return redirect("login")


@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request):
    user = twofactor.held_user(request)
    if user is None:
        return redirect("login")
    device = twofactor.confirmed_device(user)
    if device is None:
        return redirect("login")
    if request.method == "POST":
        if device.verify_token(_code(request)):
            request.session.pop(twofactor.HALF_LOGIN, None)
            return _finish(request, user, device)
        return _wrong(request, "login_code")
    return render(request, "accounts/login_code.html", {"enrol": False})


@require_http_methods(["GET", "HEAD", "POST"])
def login_enrol(request):
    user = twofactor.held_user(request)
    if user is None or twofactor.confirmed_device(user) is not None:
        return redirect("login")
    if request.method == "POST":
        if twofactor.enrol_confirm(user=user, code=_code(request)):
            request.session.pop(twofactor.HALF_LOGIN, None)
            return _finish(request, user, twofactor.confirmed_device(user))
        return _wrong(request, "login_enrol")
    device = twofactor.pending_device(user)
    context = {
        "enrol": True,
        "qr": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device),
    }
    response = render(request, "accounts/login_code.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_security(request):
    device = twofactor.confirmed_device(request.user)
    if request.method == "POST" and device is None:
        if twofactor.enrol_confirm(user=request.user, code=_code(request)):
            messages.success(request, _("已启用动态验证码。"))
        else:
            messages.error(request, _("动态验证码不正确，请输入应用当前显示的 6 位数字。"))
        return redirect("account_security")
    context = {"device": device}
    if device is None:
        pending = twofactor.pending_device(request.user)
        context |= {"qr": twofactor.qr_svg(pending), "secret": twofactor.secret_text(pending)}
    response = render(request, "accounts/security.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_security_disable(request):
    if twofactor.disable(user=request.user, code=_code(request)):
        messages.success(request, _("已停用动态验证码。"))
    else:
        messages.error(request, _("动态验证码不正确，未停用。"))
    return redirect("account_security")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request):
    """Create on POST, then redirect; the new token is shown once, from the session."""
    if request.method == "POST":
        form = TokenForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationFailed(first_error(form), field="name")
            _token, raw = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            messages.error(request, localized(exc))
        else:
            request.session["new_api_token"] = raw
        return redirect("api_tokens")
    new_token = request.session.pop("new_api_token", None)
    response = render(
        request,
        "accounts/api_tokens.html",
        {"tokens": request.user.api_tokens.all(), "new_token": new_token},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    try:
        services.api_token_revoke(user=request.user, token_id=pk)
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("令牌已撤销。"))
    return redirect("api_tokens")


def set_language(request):
    """Django's language switch, which sets the cookie; a signed-in staff member's choice is also
    kept on their account, so another browser shows it and messages to them are written in it."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        language = request.POST.get("language", "")
        if services.staff_language_save(user=request.user, language=language):
            request.session[selectors.LANGUAGE_SESSION_KEY] = language
    return response
