from django.urls import path

from . import views

urlpatterns = [
    path("kpi/", views.dashboard_view, name="kpi_dashboard"),
    path("kpi/export.xlsx", views.export_view, name="kpi_export"),
    path("kpi/simulation/", views.simulation_view, name="kpi_simulation"),
    path("cases/<int:pk>/delivery-errors/", views.delivery_error_view, name="case_delivery_error"),
]
