from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/report/draft/", views.report_draft_view, name="report_draft"),
    path("cases/<int:pk>/report/settings/", views.settings_view, name="report_settings"),
    path("reports/<int:report_id>/edit/", views.report_edit_view, name="report_edit"),
    path("reports/<int:report_id>/send/", views.report_send_view, name="report_send"),
    path("cases/<int:pk>/incidents/", views.incident_raise_view, name="incident_raise"),
    path(
        "incidents/<int:incident_id>/<str:action>/",
        views.incident_action_view,
        name="incident_action",
    ),
    path("cases/<int:pk>/risks/", views.risk_record_view, name="risk_record"),
    path(
        "warnings/<int:warning_id>/<str:action>/",
        views.warning_action_view,
        name="warning_action",
    ),
]
