from .selectors import version_read_once


class CalendarVersionMiddleware:
    """Reads the calendar's version once per request instead of once per date computed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with version_read_once():
            return self.get_response(request)
