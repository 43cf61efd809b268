from django.urls import path

from . import views

urlpatterns = [
    path("feeds/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("account/calendar/", views.my_calendar, name="my_calendar"),
    path("account/calendar/renew/", views.my_calendar_renew, name="my_calendar_renew"),
    path("account/calendar/stop/", views.my_calendar_stop, name="my_calendar_stop"),
    path("cases/<int:pk>/calendar/", views.case_calendar, name="case_calendar"),
    path("cases/<int:pk>/calendar/renew/", views.case_calendar_renew, name="case_calendar_renew"),
    path("cases/<int:pk>/calendar/stop/", views.case_calendar_stop, name="case_calendar_stop"),
]
