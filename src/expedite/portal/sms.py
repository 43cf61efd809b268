"""Text messages to client contacts who have a phone and no e-mail.

`EXPEDITE_SMS_SENDER` names the class; the default logs the message, number and code masked (no
SMS gateway is contracted yet). A gateway is a class with the same `send` method.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from expedite.domain.portal import mask_phone
from expedite.domain.redact import redact

log = logging.getLogger("expedite.sms")


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsSender:
    """Writes the message to the log: for development and until a gateway is configured."""

    sent: list[tuple[str, str]] = []  # the last messages, for the demo and tests

    def send(self, phone: str, text: str) -> None:
        # The code in the text is a password for ten minutes: the log keeps only the fact.
        log.info("SMS to %s: %s", mask_phone(phone), redact(text))
        LoggingSmsSender.sent = [*LoggingSmsSender.sent[-19:], (phone, text)]


def sms_sender() -> SmsSender:
    return import_string(settings.EXPEDITE_SMS_SENDER)()
