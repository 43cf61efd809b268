from django.urls import path

from . import plan_views, views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/plan/", plan_views.case_plan, name="case_plan"),
    path("cases/<int:pk>/quote/", plan_views.case_quote, name="case_quote"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
]
