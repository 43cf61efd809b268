from django.urls import path

from . import portal

urlpatterns = [
    path("<str:token>/feedback/", portal.portal_feedback, name="portal_feedback"),
]
