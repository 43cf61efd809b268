"""The daily anchor goes to the firm's address over real SMTP (a server on loopback), through
the outbox: the check queues the mail, the outbox sender delivers it."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from expedite.audit.jobs import audit_daily
from expedite.audit.models import AuditEvent
from expedite.notify.delivery import deliver_due

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


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
    settings.EXPEDITE_ANCHOR_EMAIL = "records@firm.example"
    yield inbox
    controller.stop()


def test_the_daily_check_writes_and_mails_the_anchor(world, smtp, settings, tmp_path):
    settings.EXPEDITE_ANCHOR_DIR = tmp_path
    result = audit_daily()
    assert result["ok"]
    assert not smtp.messages
    deliver_due(now=timezone.now(), worker="test")
    (path,) = tmp_path.iterdir()
    assert f'"seq": {result["anchor"]["seq"]}' in path.read_text(encoding="utf-8")
    ((recipients, content),) = smtp.messages
    assert recipients == ["records@firm.example"]
    assert result["anchor"]["hash"] in content
    assert AuditEvent.objects.filter(kind="audit.anchored").exists()


def test_a_failed_check_is_recorded_and_mailed_and_writes_no_anchor(
    world, smtp, settings, tmp_path
):
    from django.db import connection

    settings.EXPEDITE_ANCHOR_DIR = tmp_path
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 2")
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    result = audit_daily()
    assert not result["ok"]
    deliver_due(now=timezone.now(), worker="test")
    assert not list(tmp_path.iterdir())
    assert AuditEvent.objects.filter(kind="audit.verify_failed").exists()
    ((_recipients, content),) = smtp.messages
    assert "#2" in content
