"""Shared pieces of the custody tests: a real SMTP server on loopback and a case to work on."""

import datetime as dt
import email
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from expedite.workdays.selectors import firm_calendar


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"

    def texts(self) -> list[tuple[list[str], str]]:
        out = []
        for rcpt, raw in self.messages:
            msg = email.message_from_bytes(raw)
            body = msg.get_payload(decode=True).decode(msg.get_content_charset() or "utf-8")
            subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
            out.append((rcpt, subject + "\n" + body))
        return out

    def last_code(self) -> str:
        return re.search(r"确认码：(\d{6})", self.texts()[-1][1]).group(1)


@pytest.fixture
def smtp(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


# The custody tests' case: 恒信's, whose primary contact 吴刚 has an e-mail address.
CASE = pytest.mark.case(client="hengxin", workdays=10, reason="变更法定代表人")


def due(workdays: int = 2) -> dt.date:
    return firm_calendar().add_workdays(timezone.localdate(), workdays)


def next_weekend_day() -> dt.date:
    """The first plain weekend day off after today (not a holiday, not a make-up workday)."""
    from expedite.domain.calendar import DayKind

    cal, day = firm_calendar(), timezone.localdate() + dt.timedelta(days=1)
    while cal.explain(day).kind != DayKind.WEEKEND:
        day += dt.timedelta(days=1)
    return day
