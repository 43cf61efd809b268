from django.urls import path

from . import views

urlpatterns = [path("<str:token>/", views.portal_case, name="portal_case")]
