from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "expedite.web"
    label = "web"
    verbose_name = "Expedite"
