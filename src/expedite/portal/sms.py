"""Text messages to client contacts who have a phone and no e-mail.

`EXPEDITE_SMS_SENDER` names the class; the default logs the message (no SMS gateway is contracted
yet). A gateway is a class with the same `send` method.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("expedite.sms")


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsSender:
    """Writes the message to the log: for development and until a gateway is configured."""

    sent: list[tuple[str, str]] = []  # the last messages, for the demo and tests

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)
        LoggingSmsSender.sent = [*LoggingSmsSender.sent[-19:], (phone, text)]


def sms_sender() -> SmsSender:
    return import_string(settings.EXPEDITE_SMS_SENDER)()
