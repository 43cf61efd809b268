"""Language selection: Chinese unless the user chose otherwise."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Activate the language from the language cookie, else `LANGUAGE_CODE`.

    Unlike Django's LocaleMiddleware this ignores Accept-Language: the firm's
    staff and clients get the zh-Hans UI on any phone or browser, and switch to
    English explicitly (the choice is kept in the cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
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
