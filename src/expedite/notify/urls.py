from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("ops/outbox/", views.outbox_page, name="outbox_page"),
    path("ops/outbox/<int:pk>/", views.outbox_decide, name="outbox_decide"),
    path("s/<str:code>", views.short_link, name="short_link"),
    path("hooks/sms/<str:provider>/<str:token>/", views.sms_receipts, name="sms_receipts"),
]
