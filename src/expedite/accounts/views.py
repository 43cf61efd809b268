from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError, ValidationFailed

from . import selectors, services
from .forms import ThrottledAuthenticationForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


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
