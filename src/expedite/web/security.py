"""The Content-Security-Policy every page is served with.

Pages load scripts, styles, images and fonts from this site only, are never framed, post
forms only here, and embed no plugin: injected markup can neither run a script nor send data
elsewhere. Styles may be inline (the templates and htmx's indicator style use them); scripts
may not, so buttons declare their actions in data attributes (`static/expedite/app.js`).
"""

from __future__ import annotations

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
