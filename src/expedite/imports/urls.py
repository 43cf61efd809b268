from django.urls import path

from . import views

urlpatterns = [
    path("clients/import/", views.import_page, name="client_import"),
    path("clients/import/template.xlsx", views.template_download, name="client_import_template"),
    path("clients/import/<int:import_id>/", views.batch_page, name="client_import_batch"),
    path("clients/import/<int:import_id>/apply/", views.batch_apply, name="client_import_apply"),
    path(
        "clients/import/<int:import_id>/report.xlsx",
        views.batch_report,
        name="client_import_report",
    ),
]
