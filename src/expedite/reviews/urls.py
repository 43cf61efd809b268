from django.urls import path

from . import views

urlpatterns = [
    path(
        "cases/<int:pk>/reviews/submission/",
        views.case_submission_check,
        name="case_submission_check",
    ),
    path(
        "cases/<int:pk>/reviews/self-check/",
        views.case_review,
        {"stage": "self_check"},
        name="case_self_check",
    ),
    path(
        "cases/<int:pk>/reviews/supervisor/",
        views.case_review,
        {"stage": "supervisor"},
        name="case_supervisor_review",
    ),
]
