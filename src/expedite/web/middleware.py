"""Language selection (Chinese unless the user chose otherwise), and log-in for htmx parts."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.middleware import get_user
from django.shortcuts import resolve_url
from django.utils import translation
from django_htmx.http import HttpResponseClientRedirect

from expedite.accounts.models import StaffLanguage
from expedite.accounts.selectors import LANGUAGE_SESSION_KEY


class DefaultLanguageMiddleware:
    """Activate the language from the language cookie, else the one a signed-in staff member
    last chose (kept on their account), else `LANGUAGE_CODE`.

    Unlike Django's LocaleMiddleware pages ignore Accept-Language: the firm's
    staff and clients get the zh-Hans UI on any phone or browser, and switch to
    English explicitly (the choice is kept in the cookie). A program calling the
    API asks explicitly, so there Accept-Language chooses the labels' language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith("/api/") and request.headers.get("Accept-Language"):
            chosen = asked_language(request.headers["Accept-Language"]) or chosen
        if chosen is None:
            chosen = account_language(request)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # Threads are reused: leave no language behind for whatever runs next on this one.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


def account_language(request) -> str | None:
    """The language the signed-in staff member chose, if any. This runs before the
    authentication middleware: the user is read the way it reads it, and cached on the request
    for it. The session keeps the account's choice, so it is read once per session."""
    if not hasattr(request, "session"):
        return None
    user = get_user(request)
    if not user.is_authenticated:
        return None
    if LANGUAGE_SESSION_KEY not in request.session:
        chosen = StaffLanguage.objects.filter(user_id=user.pk).values_list("language", flat=True)
        request.session[LANGUAGE_SESSION_KEY] = chosen.first() or ""
    return request.session[LANGUAGE_SESSION_KEY] or None


def asked_language(header: str) -> str | None:
    """The supported language an Accept-Language header prefers most, if any."""
    ranked = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-weight, index, tag.strip().lower()))
    for _weight, _index, tag in sorted(ranked):
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh-hans"
    return None


class HtmxLoginRedirectMiddleware:
    """A part of a page loaded with htmx after the session ended (a panel scrolled into view)
    would be answered with the log-in page drawn inside the panel. Send the whole browser to
    the log-in page instead, coming back to the page it was on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code != 302:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login:
            return response
        page = request.htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: page})}")
