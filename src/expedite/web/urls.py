from django.contrib import admin
from django.urls import include, path

from expedite.api.routes import api

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
    path("", include("expedite.feeds.urls")),
    path("p/", include("expedite.portal.urls")),
    path("p/", include("expedite.learning.portal_urls")),
    path("", include("expedite.learning.urls")),
    path("", include("expedite.portal.staff_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
