"""The database side of scripts/faults.py, run in its process once Django is set up with the
server's settings: what the writers need, waiting for the outbox, and the checks."""

from __future__ import annotations

import collections
import datetime as dt
import time

from django.conf import settings
from django.db import close_old_connections

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.accounts.services import api_token_create
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case, Client, ServiceType
from expedite.domain.audit import AuditKind
from expedite.domain.cases import FINAL
from expedite.domain.outbox import message_id
from expedite.domain.roles import Capability, Role
from expedite.monitoring.models import Incident
from expedite.notify.models import OutboxMessage, Status
from expedite.ops.demo import DEMO_PASSWORD, DEMO_USERS
from expedite.work.models import StepRun


def prepare() -> dict:
    """A member of staff who opens cases and records incidents, an API token for them, and the
    open cases whose projected finish an incident moves (steps to do, a client with e-mail)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    staff = next(
        user
        for spec in DEMO_USERS
        if spec.role != Role.ADMIN
        and user_can(user := users.get(username=spec.username), Capability.CREATE_CASE)
        and user_can(user, Capability.RAISE_INCIDENT)
    )
    _token, raw = api_token_create(user=staff, name="fault script")
    final = [s.value for s in FINAL]
    cases = [
        case.pk
        for case in Case.objects.exclude(state__in=final).order_by("pk")
        if StepRun.objects.filter(case=case, finished_at__isnull=True).exists()
        and case.client.contacts.exclude(email="").exists()
    ]
    fixtures = {
        "username": staff.username,
        "password": DEMO_PASSWORD,
        "token": raw,
        "cases": cases,
        "clients": list(Client.objects.order_by("pk").values_list("pk", flat=True)),
        "services": list(
            ServiceType.objects.filter(active=True).order_by("code").values_list("code", flat=True)
        ),
        "deadline": (clock.today() + dt.timedelta(days=30)).isoformat(),
    }
    close_old_connections()
    if not cases:
        raise SystemExit("the demo has no open case with steps to do and a client e-mail")
    return fixtures


def _unsent() -> int:
    try:
        return OutboxMessage.objects.filter(channel="email").exclude(status=Status.SENT).count()
    finally:
        close_old_connections()


def drain(timeout: float) -> bool:
    """Wait until the outbox has sent every e-mail (a message a killed worker had claimed waits
    for its lease, then for the next run of the sender)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _unsent() == 0:
            return True
        time.sleep(2)
    return _unsent() == 0


def check(
    acks: dict[str, list], received: list[str], subjects: dict[str, str], *, sender_kills: int = 0
) -> dict:
    """Acknowledged writes stored with their audit event; e-mails sent at most once each."""
    lines, problems = [], []

    ids = [a["id"] for a in acks["api"]]
    stored = dict(Case.objects.filter(pk__in=ids).values_list("pk", "reason"))
    audited = set(
        AuditEvent.objects.filter(kind=AuditKind.CASE_CREATED, case_id__in=ids).values_list(
            "case_id", flat=True
        )
    )
    lost = [a for a in acks["api"] if stored.get(a["id"]) != a["reason"] or a["id"] not in audited]
    problems += [f"case {a['id']} acknowledged but not stored with its audit event" for a in lost]
    lines.append(
        f"cases acknowledged: {len(ids)}, stored with their audit event: {len(ids) - len(lost)}"
    )

    wanted = {a["description"]: a["case"] for a in acks["form"]}
    incidents = dict(
        Incident.objects.filter(description__in=list(wanted)).values_list("description", "pk")
    )
    raised = {
        p.get("incident")
        for p in AuditEvent.objects.filter(
            kind=AuditKind.INCIDENT_RAISED, case_id__in=set(wanted.values())
        ).values_list("payload", flat=True)
    }
    told = {
        int(key.split(":")[1])
        for key in OutboxMessage.objects.filter(
            channel="email", key__contains=":finish-moved:"
        ).values_list("key", flat=True)
    }
    whole = [d for d, pk in incidents.items() if pk in raised and pk in told]
    problems += [
        f"incident {d!r} acknowledged but not stored whole" for d in set(wanted) - set(whole)
    ]
    lines.append(
        f"incidents acknowledged: {len(wanted)}, stored with their audit event and the client's "
        f"e-mail in the outbox: {len(whole)}"
    )

    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">")
    rows = list(OutboxMessage.objects.filter(channel="email").values_list("key", "status"))
    expected = {message_id(key, domain): status for key, status in rows}
    counts = collections.Counter(received)
    twice = sorted(m for m, n in counts.items() if n > 1)
    # The outbox sends at least once (notify/delivery.py): a sender killed after the SMTP server
    # took a message but before the row was marked sent sends that one message again, with the
    # same Message-ID. So each kill of a sending process may explain one repeat, never more.
    explained = sorted(m for m in twice if counts[m] == 2)[:sender_kills]
    missing = sorted(m for m, s in expected.items() if s == Status.SENT and m not in counts)
    stray = sorted(m for m in counts if m not in expected)
    unsent = sum(s != Status.SENT for s in expected.values())
    problems += [f"e-mail {m} received {counts[m]} times" for m in twice if m not in explained]
    problems += [f"e-mail {m} marked sent, never received" for m in missing]
    problems += [f"e-mail {m} received, not in the outbox: {subjects.get(m)!r}" for m in stray]
    problems += [f"{unsent} e-mails still unsent"] if unsent else []
    lines.append(
        f"e-mails in the outbox: {len(expected)}, received: {len(received)} "
        f"({len(counts)} distinct), twice or more: {len(twice)} (a kill mid-send explains "
        f"{len(explained)} of at most {sender_kills}), marked sent but not received: "
        f"{len(missing)}, unsent: {unsent}"
    )
    close_old_connections()
    lines += [f"FAILED: {p}" for p in problems[:20]]
    return {"ok": not problems, "lines": lines}


def flush_queue() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.flush()  # this run's queue name only
