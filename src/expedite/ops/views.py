from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from expedite import clock

from .selectors import health


@never_cache
def healthz(request):
    report = health(now=clock.now())
    return JsonResponse(report, status=200 if report["ok"] else 503)
