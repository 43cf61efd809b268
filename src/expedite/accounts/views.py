from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from expedite.domain.errors import DomainError
from expedite.web.i18n import localized

from . import services


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    new_token = None
    error = None
    if request.method == "POST":
        try:
            _token, new_token = services.api_token_create(
                user=request.user, name=request.POST.get("name", "")
            )
        except DomainError as exc:
            error = localized(exc)
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "accounts/api_tokens.html",
        {"tokens": tokens, "new_token": new_token, "error": error},
    )


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
