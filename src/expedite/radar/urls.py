from django.urls import path

from . import views

urlpatterns = [
    path("radar/", views.radar_page, name="radar"),
    path("radar/report/", views.radar_report, name="radar_report"),
    path("radar/clients/<int:client_id>/", views.radar_client, name="radar_client"),
    path("radar/clients/<int:client_id>/propose/", views.radar_propose, name="radar_propose"),
    path("radar/outreach/<int:outreach_id>/outcome/", views.radar_outcome, name="radar_outcome"),
]
