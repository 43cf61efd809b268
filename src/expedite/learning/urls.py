from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/retrospective/", views.case_retrospective, name="case_retrospective"),
    path("feedback/", views.follow_up_list, name="follow_up_list"),
    path("feedback/follow-ups/<int:pk>/resolve/", views.follow_up_close, name="follow_up_resolve"),
    path("handbook/", views.handbook, name="handbook"),
    path("handbook/entries/<int:pk>/decide/", views.handbook_decide, name="handbook_decide"),
    path("handbook/<slug:code>/", views.handbook_service, name="handbook_service"),
    path("handbook/<slug:code>/entries/", views.handbook_entry_create, name="handbook_entry_add"),
]
