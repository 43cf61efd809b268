from django.urls import path

from . import views

urlpatterns = [
    path("request/", views.request_page, name="request_page"),
    path("requests/qr/", views.request_qr, name="request_qr"),
]
