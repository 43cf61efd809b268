from django.urls import path

from . import portal_views, views

urlpatterns = [
    path("cases/<int:pk>/results/", views.result_upload, name="delivery_result_upload"),
    path(
        "cases/<int:pk>/delivery/<int:doc>/download/",
        views.delivery_download,
        name="delivery_download",
    ),
    path("p/<str:token>/confirm/", portal_views.portal_confirm, name="delivery_portal_confirm"),
]
