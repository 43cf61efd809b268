from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path

from expedite.api.routes import api


def _admin_login(request, extra_context=None):
    """The admin site's own log-in form would skip the one-time code: everyone signs in at
    /login/, then comes back."""
    return redirect_to_login(request.GET.get("next") or "/admin/")


admin.site.login = _admin_login

urlpatterns = [
    path("", include("expedite.cases.urls")),
    path("", include("expedite.work.urls")),
    path("", include("expedite.batches.urls")),
    path("", include("expedite.reviews.urls")),
    path("", include("expedite.custody.urls")),
    path("", include("expedite.approvals.urls")),
    path("", include("expedite.materials.urls")),
    path("", include("expedite.delivery.urls")),
    path("", include("expedite.monitoring.urls")),
    path("", include("expedite.accounts.urls")),
    path("", include("expedite.ops.urls")),
    path("", include("expedite.notify.urls")),
    path("", include("expedite.workdays.urls")),
    path("", include("expedite.kpi.urls")),
    path("", include("expedite.records.urls")),
    path("", include("expedite.desk.urls")),
    path("", include("expedite.requests.urls")),
    path("", include("expedite.imports.urls")),
    path("", include("expedite.radar.urls")),
    path("", include("expedite.feeds.urls")),
    path("p/", include("expedite.portal.urls")),
    path("p/", include("expedite.learning.portal_urls")),
    path("", include("expedite.learning.urls")),
    path("", include("expedite.portal.staff_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
