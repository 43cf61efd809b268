from django.urls import path

from . import views, webhook_views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("ops/outbox/", views.outbox_page, name="outbox_page"),
    path("ops/outbox/<int:pk>/", views.outbox_decide, name="outbox_decide"),
    path("ops/webhooks/", webhook_views.webhook_list, name="webhook_list"),
    path("ops/webhooks/<int:endpoint_id>/", webhook_views.webhook_detail, name="webhook_detail"),
    path(
        "ops/webhooks/<int:endpoint_id>/secret/",
        webhook_views.webhook_secret,
        name="webhook_secret",
    ),
    path("ops/webhooks/<int:endpoint_id>/test/", webhook_views.webhook_test, name="webhook_test"),
    path("s/<str:code>", views.short_link, name="short_link"),
    path("hooks/sms/<str:provider>/<str:token>/", views.sms_receipts, name="sms_receipts"),
]
