from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/evidence/", views.case_evidence_download, name="case_evidence"),
]
