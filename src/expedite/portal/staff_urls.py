from django.urls import path

from . import staff_views as views

urlpatterns = [
    path("cases/<int:pk>/portal/rotate/", views.link_rotate, name="portal_link_rotate"),
    path("cases/<int:pk>/portal/revoke/", views.link_revoke, name="portal_link_revoke"),
    path("cases/<int:pk>/portal/qr/", views.link_qr_page, name="portal_link_qr"),
    path("cases/<int:pk>/portal/qr.svg", views.link_qr_svg, name="portal_link_qr_svg"),
    path(
        "cases/<int:pk>/portal/files/<int:doc>/",
        views.document_visibility,
        name="portal_document_visibility",
    ),
]
