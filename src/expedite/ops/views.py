from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .selectors import health


@never_cache
def healthz(request):
    report = health(now=timezone.now())
    return JsonResponse(report, status=200 if report["ok"] else 503)
