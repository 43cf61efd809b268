from django.urls import path

from . import views

urlpatterns = [
    path("approvals/", views.approval_inbox, name="approval_inbox"),
    path("approvals/export.xlsx", views.approval_inbox_export, name="approval_inbox_export"),
    path("cases/<int:pk>/approvals/", views.approval_create, name="approval_create"),
    path("approvals/<int:approval_pk>/decide/", views.approval_decide, name="approval_decide"),
    path(
        "approvals/<int:approval_pk>/withdraw/", views.approval_withdraw, name="approval_withdraw"
    ),
]
