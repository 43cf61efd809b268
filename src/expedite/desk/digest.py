"""The morning digest: each staff member's items for the day, once per working day.

One in-app message per person and date (key `digest:<user>:<date>`), and the same text by
e-mail when the person has an address. The job runs every minute; once a person's digest
exists for the day, the key makes every later run a no-op for them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from expedite.approvals.selectors import pending_for
from expedite.cases.models import Case
from expedite.cases.words import term
from expedite.custody.selectors import staff_users
from expedite.notify.models import Channel, OutboxMessage
from expedite.notify.services import enqueue
from expedite.work.selectors import ACTIVE_STATES
from expedite.workdays.selectors import firm_calendar

from .board import board


def digest_key(user, day: dt.date) -> str:
    return f"digest:{user.pk}:{day.isoformat()}"


def _my_case_ids(user) -> set[int]:
    return set(
        Case.objects.filter(
            Q(assignments__user=user) | Q(created_by=user),
            state__in=[s.value for s in ACTIVE_STATES],
        ).values_list("pk", flat=True)
    )


def _case_line(row) -> str:
    c = row.case
    return f"- {c.reference or c.pk} {c.client.name} · {c.service.display_name(get_language())}"


def digest_text(user, *, now: dt.datetime) -> tuple[str, str]:
    """The subject and body of `user`'s digest at `now` (from the board's selectors)."""
    b = board(user=user, now=now)
    mine = _my_case_ids(user)
    # What was handed to them and is still open (approvals are listed below on their own).
    handed = (
        OutboxMessage.objects.filter(
            user=user, channel=Channel.INAPP, key__startswith="handoff:", read_at__isnull=True
        )
        .exclude(key__startswith="handoff:approval:requested:")
        .order_by("created_at", "pk")[:50]
    )
    sections: list[tuple[str, list[str]]] = [
        (_("交到我手上、尚未处理"), [f"- {m.subject}" for m in handed]),
        (_("风险加急单"), [_case_line(r) for r in b["at_risk"] if r.case.pk in mine]),
        (_("今日到期"), [_case_line(r) for r in b["due_today"] if r.case.pk in mine]),
        (
            _("未按时同步的进度"),
            [
                f"- {t.case.reference or t.case_id} {term(t.name)}"
                for t in b["stale"]
                if t.case_id in mine
            ],
        ),
        (
            _("待我审批"),
            [
                f"- {a.case.reference or a.case_id} {a.get_action_display()}"
                for a in pending_for(user).select_related("case")[:50]
            ],
        ),
        (
            _("逾期未还的证照印章"),
            [
                f"- {i.client.name} {i}"
                for i in b["custody_overdue"]
                if i.holder_id == user.pk or i.case_id in mine
            ],
        ),
    ]
    day = b["today"]
    subject = _("【加急服务台】%(date)s 早间待办") % {"date": day.isoformat()}
    parts = [
        _("%(title)s（%(n)s）") % {"title": title, "n": len(lines)} + "\n" + "\n".join(lines)
        for title, lines in sections
        if lines
    ]
    body = "\n\n".join(parts) if parts else _("今日没有需要您处理的待办。")
    return subject, body


@transaction.atomic
def digest_create(user, *, now: dt.datetime) -> bool:
    """Queue `user`'s digest for today; False when it already exists."""
    day = now.astimezone(firm_calendar().tz).date()
    key = digest_key(user, day)
    if OutboxMessage.objects.filter(key=key).exists():
        return False
    # Staff read the firm's language: nothing records one of their own.
    with override(settings.LANGUAGE_CODE):
        subject, body = digest_text(user, now=now)
    _row, created = enqueue(
        key=key, channel=Channel.INAPP, user=user, subject=subject, body=body, now=now
    )
    if created and user.email:
        enqueue(
            key=f"{key}:email",
            channel=Channel.EMAIL,
            recipient=user.email,
            user=user,
            subject=subject,
            body=body,
            now=now,
        )
    return created


def digests_due(*, now: dt.datetime) -> dict:
    """On a working day after EXPEDITE_DIGEST_TIME, create the digests not yet created."""
    cal = firm_calendar()
    local = now.astimezone(cal.tz)
    if not cal.is_workday(local.date()) or local.time() < settings.EXPEDITE_DIGEST_TIME:
        return {"created": 0}
    prefix = f"digest:%s:{local.date().isoformat()}"
    done = set(
        OutboxMessage.objects.filter(
            key__in=[prefix % pk for pk in staff_users().values_list("pk", flat=True)]
        ).values_list("key", flat=True)
    )
    created = 0
    for user in staff_users():
        if prefix % user.pk not in done:
            created += digest_create(user, now=now)
    return {"created": created}
