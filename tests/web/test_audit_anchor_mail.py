"""The daily anchor goes to the firm's address over real SMTP (a server on loopback), through
the outbox: the check queues the mail, the outbox sender delivers it."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from expedite.audit.models import AuditEvent
from expedite.notify.delivery import deliver_due
from expedite.records.audit_jobs import audit_daily

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


def _tamper_second_event():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 2")
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_a_failed_check_raises_one_firm_wide_incident_handled_on_the_board(
    world, settings, tmp_path, client
):
    from expedite.monitoring.models import Incident
    from expedite.notify.models import OutboxMessage

    settings.EXPEDITE_ANCHOR_DIR = tmp_path
    _tamper_second_event()
    first = audit_daily()
    second = audit_daily()  # the next night, still broken: no second incident
    (incident,) = Incident.objects.all()
    assert first["incident"] == second["incident"] == incident.pk
    assert incident.case is None and incident.kind == "record_integrity"
    assert "#2" in incident.description
    # The supervisors and managers hear of it in the app; the case staff do not.
    told = set(
        OutboxMessage.objects.filter(key__startswith=f"incident:{incident.pk}:raised").values_list(
            "user__username", flat=True
        )
    )
    assert {"zhao", "chen"} <= told and "zhang" not in told
    # Unanswered, it escalates like any incident (nobody's case to name).
    import datetime as dt

    from expedite.monitoring.watch import incidents_escalate

    assert incidents_escalate(now=incident.managers_at + dt.timedelta(minutes=1)) == 2
    assert OutboxMessage.objects.filter(subject__startswith="【异常升级】全所").exists()

    client.force_login(world.chen)
    page = client.get("/board/").content.decode()
    assert "审计记录校验失败" in page and f"/incidents/{incident.pk}/ack/" in page
    client.force_login(world.zhang)  # a liaison may see the board but not answer this
    client.post(f"/incidents/{incident.pk}/ack/", {"cause": "x", "remedy": "y"})
    incident.refresh_from_db()
    assert incident.acknowledged_at is None
    client.force_login(world.chen)
    response = client.post(
        f"/incidents/{incident.pk}/ack/",
        {"cause": "数据库被直接修改", "remedy": "自异地备份与锚点核对后恢复"},
    )
    assert response.status_code == 302 and response["Location"] == "/board/#incidents"
    incident.refresh_from_db()
    assert incident.acknowledged_by == world.chen
    assert AuditEvent.objects.filter(kind="incident.acknowledged", case=None).exists()
