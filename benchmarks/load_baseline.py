"""The baseline of benchmarks/load.py: one bare Django view, no middleware, no database.

Served by gunicorn with the flags `expedite serve` uses, so the ratio load.py prints is what
Expedite's own work costs on top of gunicorn and Django's request handling on this machine.
"""

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="load-baseline-not-secret",  # noqa: S106 - signs nothing
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
django.setup()


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("", bare)]

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after settings.configure

application = get_wsgi_application()
