from django.urls import path

from . import portal, views

urlpatterns = [
    path("cases/<int:pk>/materials/upload/", views.material_upload, name="material_upload"),
    path("cases/<int:pk>/materials/review/", views.material_review, name="material_review"),
    path(
        "cases/<int:pk>/materials/<int:submission>/download/",
        views.material_download,
        name="material_download",
    ),
    path(
        "p/<str:token>/materials/complete/", portal.portal_complete, name="material_portal_complete"
    ),
    path(
        "p/<str:token>/materials/<slug:item>/upload/",
        portal.portal_upload,
        name="material_portal_upload",
    ),
]
