from django.urls import path

from . import action_views, cost_views, export_views, plan_views, triage_views, views

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/panels/<slug:key>/", views.case_panel, name="case_panel"),
    path("cases/<int:pk>/plan/", plan_views.case_plan, name="case_plan"),
    path("cases/<int:pk>/choice/", views.case_choose, name="case_choose"),
    path("cases/<int:pk>/quote/", plan_views.case_quote, name="case_quote"),
    path("cases/<int:pk>/triage/", triage_views.case_triage_view, name="case_triage"),
    path("cases/<int:pk>/override/", triage_views.case_override_view, name="case_override"),
    path(
        "cases/<int:pk>/alternative/",
        triage_views.case_alternative_view,
        name="case_alternative",
    ),
    path("queue/", triage_views.triage_queue, name="triage_queue"),
    path("cases/<int:pk>/costs/", cost_views.case_cost_add, name="case_cost_add"),
    path("cases/<int:pk>/move/", action_views.case_move, name="case_move"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/export.xlsx", export_views.client_list_export, name="client_list_export"),
    path("cases/export.xlsx", export_views.case_list_export, name="case_list_export"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path(
        "clients/<int:pk>/contacts/language/",
        views.client_contact_language,
        name="client_contact_language",
    ),
]
