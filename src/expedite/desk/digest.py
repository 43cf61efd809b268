"""The morning digest: each staff member's items for the day, once per working day.

One in-app message per person and date (key `digest:<user>:<date>`), shown in the reader's
language, and the same text by e-mail, in the language the person chose, when they have an
address. The job runs every minute; once a person's digest
exists for the day, the key makes every later run a no-op for them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from expedite.accounts.selectors import staff_language, wecom_userids
from expedite.approvals.selectors import pending_for
from expedite.cases.models import Case
from expedite.custody.selectors import overdue_items, staff_users
from expedite.domain.phrases import Msg, Phrase, Term, gettext_noop
from expedite.notify import wecom_app
from expedite.notify.models import Channel, OutboxMessage
from expedite.notify.said import choice, in_chinese, item, render, said, written_in
from expedite.notify.services import enqueue
from expedite.work.selectors import ACTIVE_STATES, stale_tracks
from expedite.workdays.selectors import firm_calendar

from . import messages  # noqa: F401 - registers the digest's phrases
from .board import held_by, personal


def digest_key(user, day: dt.date) -> str:
    return f"digest:{user.pk}:{day.isoformat()}"


def _my_case_ids(user) -> set[int]:
    return set(
        Case.objects.filter(held_by(user), state__in=[s.value for s in ACTIVE_STATES]).values_list(
            "pk", flat=True
        )
    )


def _case_line(row) -> Phrase:
    c = row.case
    return Phrase(
        "desk.digest.case",
        {"ref": c.reference or c.pk, "client": c.client.name, "service": Term(c.service.name_zh)},
    )


def _custody_line(held) -> Phrase:
    params = {"client": held.client.name, "kind": choice(held, "kind")}
    if held.label:
        return Phrase("desk.digest.custody_labelled", {**params, "label": held.label})
    return Phrase("desk.digest.custody", params)


def digest_said(user, *, now: dt.datetime) -> dict:
    """`user`'s digest at `now` (from the board's selectors), as phrases (notify.said)."""
    b = personal(user=user, now=now)
    mine = _my_case_ids(user)
    # What was handed to them and is still open (approvals are listed below on their own).
    handed = (
        OutboxMessage.objects.filter(
            user=user, channel=Channel.INAPP, key__startswith="handoff:", read_at__isnull=True
        )
        .exclude(key__startswith="handoff:approval:requested:")
        .order_by("created_at", "pk")[:50]
    )
    sections: list[tuple[str, list]] = [
        (
            gettext_noop("交到我手上、尚未处理"),
            [item(m.said.get("subject") or m.subject) for m in handed],
        ),
        (gettext_noop("风险加急单"), [_case_line(r) for r in b["at_risk"]]),
        (gettext_noop("今日到期"), [_case_line(r) for r in b["due_today"]]),
        (
            gettext_noop("未按时同步的进度"),
            [
                Phrase(
                    "desk.digest.stale",
                    {"ref": t.case.reference or t.case_id, "step": Term(t.name)},
                )
                for t in stale_tracks(now=now).filter(case_id__in=mine)
            ],
        ),
        (
            gettext_noop("待我审批"),
            [
                Phrase(
                    "desk.digest.approval",
                    {"ref": a.case.reference or a.case_id, "action": choice(a, "action")},
                )
                for a in pending_for(user).select_related("case")[:50]
            ],
        ),
        (
            gettext_noop("逾期未还的证照印章"),
            [
                _custody_line(i)
                for i in overdue_items(now)
                if i.holder_id == user.pk or i.case_id in mine
            ],
        ),
    ]
    body: list = []
    for title, lines in sections:
        if lines:
            body += [
                *([""] if body else []),
                Phrase("notify.titled", {"title": Msg(title), "n": len(lines)}),
                *lines,
            ]
    subject = Phrase("desk.digest.subject", {"date": b["today"].isoformat()})
    return said(subject, body or Phrase("desk.digest.nothing"))


def digest_text(user, *, now: dt.datetime) -> tuple[str, str]:
    """The subject and body of `user`'s digest at `now`, in the active language."""
    return render(digest_said(user, now=now))


@transaction.atomic
def digest_create(user, *, now: dt.datetime) -> bool:
    """Queue `user`'s digest for today; False when it already exists. The in-app message is
    shown in the language of whoever reads it; the e-mail is written in the one they chose."""
    day = now.astimezone(firm_calendar().tz).date()
    key = digest_key(user, day)
    if OutboxMessage.objects.filter(key=key).exists():
        return False
    words = digest_said(user, now=now)
    subject, body = in_chinese(words)
    _row, created = enqueue(
        key=key, channel=Channel.INAPP, user=user, subject=subject, body=body, now=now, said=words
    )
    userid = wecom_userids([user.pk]).get(user.pk) if wecom_app.configured() else None
    if created and userid:
        # A card on the phone, opening the board, where the day's work is.
        enqueue(
            key=f"{key}:wecom_app",
            channel=Channel.WECOM_APP,
            recipient=userid,
            user=user,
            subject=subject,
            body=body,
            now=now,
            said=words,
            link=reverse("board"),
        )
    if created and user.email:
        language = staff_language(user)
        subject, body = written_in(words, language)
        enqueue(
            key=f"{key}:email",
            channel=Channel.EMAIL,
            recipient=user.email,
            user=user,
            subject=subject,
            body=body,
            now=now,
            said=words,
            language=language,
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
