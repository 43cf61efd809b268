from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from expedite import clock

from .selectors import health


@never_cache
def healthz(request):
    """The whole installation's status; `?scope=web` asks only whether this web process can
    serve (database and queue answer), for a load balancer that must not take every web
    process out of rotation because the worker is down."""
    report = health(now=clock.now())
    if request.GET.get("scope") == "web":
        report["scope"] = "web"
        report["ok"] = report["database"]["ok"] and report["queue"]["ok"]
    return JsonResponse(report, status=200 if report["ok"] else 503)
