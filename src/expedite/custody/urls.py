from django.urls import path

from . import views

urlpatterns = [
    path("custody/", views.custody_list, name="custody_list"),
    path("custody/export.xlsx", views.custody_list_export, name="custody_list_export"),
    path("cases/<int:pk>/custody/check-in/", views.custody_check_in, name="custody_check_in"),
    path("custody/items/<int:pk>/transfer/", views.custody_transfer, name="custody_transfer"),
    path("custody/items/<int:pk>/check-out/", views.custody_check_out, name="custody_check_out"),
    path("custody/movements/<int:pk>/confirm/", views.custody_confirm, name="custody_confirm"),
    path("custody/movements/<int:pk>/resend/", views.custody_resend, name="custody_resend"),
    path("p/<str:token>/custody/<int:pk>/", views.portal_confirm, name="custody_portal_confirm"),
]
