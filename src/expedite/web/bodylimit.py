"""Request bodies over their limit are refused before they are read.

Without this, Django reads a multipart body whole (a file part into a temporary file) before
any view can say no: an anonymous 100 MB POST to /login/ filled the disk first and was
answered after. Two guards, both before anything reads the body:

- `RequestBodyLimitMiddleware` answers 413 when the declared Content-Length is over the limit;
- `StreamedBodyLimit` (around the WSGI application) reads a body sent without a length
  (chunked) only up to the limit, answering 413 past it. Django reads no more than
  Content-Length says, so such a body used to arrive empty; within the limit it is now handed
  on with its length.

The limit is EXPEDITE_MAX_REQUEST_BYTES, and for the upload URLs a file of
EXPEDITE_MAX_UPLOAD_BYTES plus that much for the form around it.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

# The views that take a file; a test checks that every multipart form posts to one of them.
UPLOAD_URL_NAMES = frozenset(
    {
        "case_triage",  # the written notice
        "batch_triage",  # the written notice, kept on each case of the batch
        "material_upload",
        "material_portal_upload",
        "delivery_result_upload",
        "step_action",  # a step's output file
        "client_import",  # a client list
    }
)


def general_limit() -> int:
    return settings.EXPEDITE_MAX_REQUEST_BYTES


def upload_limit() -> int:
    return settings.EXPEDITE_MAX_UPLOAD_BYTES + settings.EXPEDITE_MAX_REQUEST_BYTES


def path_limit(path: str) -> int:
    """The largest body `path` takes."""
    try:
        match = resolve(path)
    except Resolver404:
        return general_limit()
    return upload_limit() if match.url_name in UPLOAD_URL_NAMES else general_limit()


def _message(limit: int) -> str:
    return _("请求内容过大：此处最多接受 %(size)s。") % {"size": filesizeformat(limit)}


def too_large(limit: int) -> HttpResponse:
    response = HttpResponse(_message(limit), status=413, content_type="text/plain; charset=utf-8")
    # Answered before CommonMiddleware would add it; with it the client reads the answer
    # while its body is still being sent.
    response["Content-Length"] = str(len(response.content))
    return response


class RequestBodyLimitMiddleware:
    """413 for a declared Content-Length over the limit, before the body is read. Stands
    before everything that reads the body (the CSRF check reads the form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        # Only a body over the general limit costs a look at the URL.
        if size > general_limit() and size > (limit := path_limit(request.path_info)):
            return too_large(limit)
        return self.get_response(request)


class StreamedBodyLimit:
    """WSGI wrapper: a body without Content-Length is read up to the limit, or refused (413).

    Only where the server marks the input as ending with the body (`wsgi.input_terminated`,
    as gunicorn does for chunked requests); elsewhere Django reads none of such a body.
    """

    CHUNK = 64 * 1024

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
            return self.application(environ, start_response)
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.application(environ, start_response)
        limit = path_limit(environ.get("PATH_INFO", "/"))
        # Handed on as the request's input: closed with the request, not here.
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        size = 0
        stream = environ["wsgi.input"]
        while chunk := stream.read(self.CHUNK):
            size += len(chunk)
            if size > limit:
                body.close()
                return self._refuse(start_response, limit)
            body.write(chunk)
        body.seek(0)
        environ["CONTENT_LENGTH"] = str(size)
        environ["wsgi.input"] = body
        return self.application(environ, start_response)

    @staticmethod
    def _refuse(start_response, limit: int):
        # Before Django's middleware: no language chosen yet, so the default (Chinese).
        with translation.override(settings.LANGUAGE_CODE):
            text = _message(limit).encode()
        start_response(
            "413 Request Entity Too Large",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(text)))],
        )
        return [text]
