from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "expedite.web"
    label = "web"
    verbose_name = "Expedite"

    def ready(self) -> None:
        # The project registers every app's jobs and their schedules with the configured
        # queue; the apps themselves know nothing of the schedule.
        from expedite import jobs  # noqa: F401
