from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>/", views.portal_case, name="portal_case"),
    path("<str:token>/verify/", views.portal_verify, name="portal_verify"),
    path("<str:token>/files/<int:pk>/", views.portal_file, name="portal_file"),
]
