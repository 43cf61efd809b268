from django.urls import path

from . import views

urlpatterns = [
    path("board/schedule/", views.schedule_view, name="schedule"),
    path("board/schedule/progress/", views.schedule_progress_view, name="schedule_progress"),
    path("board/schedule/<int:pk>/accept/", views.schedule_accept_view, name="schedule_accept"),
    path("staff/", views.staff_view, name="staff"),
    path("cases/<int:pk>/team/", views.team_assign_view, name="case_team_assign"),
    path("cases/<int:pk>/waits/", views.case_waits_view, name="case_waits"),
    path("cases/<int:pk>/team/propose/", views.team_propose_view, name="case_team_propose"),
    path("steps/<int:step_id>/<str:action>/", views.step_action_view, name="step_action"),
    path("tracks/<int:track_id>/", views.track_update_view, name="track_update"),
]
