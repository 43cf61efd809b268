"""The 一次性告知 sent to the client, and reminders while what it lists stays open.

The notice goes out when a pre-review round finishes with items for the client: every item to
fix, the deadline (`selectors.correction_due`, as on the portal), the liaison's name and phone
and the case's current portal link, by e-mail to each contact that has an address and by text
message to those with only a phone. Reminders follow on each item's cadence in working time
(`EXPEDITE_CORRECTION_REMINDER_HOURS`), only within the firm's working hours, at most
`EXPEDITE_CORRECTION_REMINDERS_PER_DAY` per case and day, and stop once the client has sent
every listed item again or the case leaves on_hold.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from expedite.audit.services import audit_record
from expedite.cases.models import Case
from expedite.cases.words import term
from expedite.domain.audit import AuditKind
from expedite.domain.cases import CaseState
from expedite.domain.sms import SmsKind
from expedite.notify.notices import absolute, tell_client
from expedite.portal.links import current_link, token_of
from expedite.portal.selectors import liaison
from expedite.workdays.selectors import firm_calendar

from .models import MISSING, NOTICE_NUMBER, CorrectionMessage, PreReview
from .selectors import checklist, correction_due, submissions_since

log = logging.getLogger(__name__)


def reminder_every(item: str) -> dt.timedelta:
    """Working time between two reminders about this checklist item."""
    table = settings.EXPEDITE_CORRECTION_REMINDER_HOURS
    return dt.timedelta(hours=table.get(item, table["*"]))


def open_items(review: PreReview) -> list[str]:
    """The items of the round's notice not sent again since it, in checklist order."""
    listed = review.problems
    if not listed:
        return []
    sent = set(submissions_since(review.case, review.finished_at).values_list("item", flat=True))
    return [m.code for m in checklist(review.case) if m.code in listed and m.code not in sent]


def _when(t: dt.datetime) -> str:
    return t.astimezone(firm_calendar().tz).strftime("%Y-%m-%d %H:%M")


def _footer(case: Case, due: dt.datetime, now: dt.datetime) -> list[str]:
    """Deadline, portal link and whom to call: the same in the notice and every reminder."""
    if due > now:
        lines = [_("请于 %(due)s 前补齐。") % {"due": _when(due)}]
    else:
        lines = [_("补正期限 %(due)s 已过，请尽快补齐。") % {"due": _when(due)}]
    link = current_link(case, now=now)
    if link is not None:
        path = reverse("portal_case", kwargs={"token": token_of(link)})
        lines.append(_("进度页面（查看详情、上传材料）：%(url)s") % {"url": absolute(path)})
    else:
        lines.append(_("进度页面链接已失效，请联系对接人重新获取。"))
    if (who := liaison(case)) is not None:
        if who.phone:
            lines.append(
                _("您的对接人：%(name)s，电话 %(phone)s") % {"name": who.name, "phone": who.phone}
            )
        else:
            lines.append(_("您的对接人：%(name)s") % {"name": who.name})
    return lines


def _item_lines(review: PreReview, items: list[str]) -> list[str]:
    lines = []
    for n, code in enumerate(items, start=1):
        v = review.verdicts[code]
        what = _("缺少，请提供") if v["verdict"] == MISSING else (v.get("reason") or _("需补正"))
        lines.append(
            _("%(n)s. %(name)s：%(what)s") % {"n": n, "name": term(v["name"]), "what": what}
        )
    return lines


def _text_values(case: Case, due: dt.datetime, *, count: int) -> dict:
    """The text message's variables: in Chinese, the language the filed templates are in."""
    return {
        "service": case.service.display_name("zh-hans"),
        "ref": case.reference,
        "count": count,
        "date": due.astimezone(firm_calendar().tz).date().isoformat(),
    }


def _record(
    review: PreReview, number: int, items: list[str], due: dt.datetime, now: dt.datetime
) -> CorrectionMessage | None:
    """The row that makes this message happen once: None when it already exists."""
    try:
        with transaction.atomic():
            return CorrectionMessage.objects.create(
                review=review, number=number, items=items, sent_at=now, due_at=due
            )
    except IntegrityError:
        return None


def _key(review: PreReview, number: int, items: list[str]) -> str:
    # Per case, round, item set and number: a repeated run stores nothing new.
    return f"correction:{review.case_id}:{review.round}:{'+'.join(items)}:{number}"


def correction_notice_send(*, review: PreReview, now: dt.datetime) -> CorrectionMessage | None:
    """Send the round's 一次性告知 to the client; inside the pre-review's transaction.

    Once per round: a second call (a retried action) sends nothing and returns None.
    """
    items = open_items(review)
    if not review.notice or not items:
        return None
    case = review.case
    due = correction_due(review)
    message = _record(review, NOTICE_NUMBER, items, due, now)
    if message is None:
        return None

    def subject() -> str:
        return _("【材料补正一次性告知】%(ref)s 需补正 %(n)s 项材料") % {
            "ref": case.reference,
            "n": len(items),
        }

    def email() -> tuple[str, str]:
        # Written in the contact's language, the notice as well as what frames it.
        return subject(), "\n".join([review.notice_shown(), "", *_footer(case, due, now)])

    told = tell_client(
        key=_key(review, NOTICE_NUMBER, items),
        case=case,
        compose=email,
        now=now,
        sms=(SmsKind.NOTICE, _text_values(case, due, count=len(items))),
    )
    message.emails, message.texts = told.emails, told.texts
    message.save(update_fields=["emails", "texts"])
    audit_record(
        kind=AuditKind.CORRECTION_NOTICE_SENT,
        case=case,
        payload={
            "round": review.round,
            "items": items,
            "due_at": due.isoformat(),
            "emails": message.emails,
            "texts": message.texts,
        },
    )
    return message


def reminder_due(review: PreReview, items: list[str], last: dt.datetime) -> dt.datetime:
    """When the next reminder is due: the shortest cadence among the open items, counted in
    working time from the last message (so nights, weekends and holidays do not count)."""
    every = min(reminder_every(code) for code in items)
    return firm_calendar().add_working_time(last, every)


def _sent_today(case_id: int, now: dt.datetime) -> int:
    cal = firm_calendar()
    day = now.astimezone(cal.tz).date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=cal.tz)
    return CorrectionMessage.objects.filter(
        review__case_id=case_id,
        number__gt=NOTICE_NUMBER,
        sent_at__gte=start,
        sent_at__lt=start + dt.timedelta(days=1),
    ).count()


@transaction.atomic
def correction_remind(*, review: PreReview, now: dt.datetime) -> CorrectionMessage | None:
    """The next reminder of one held round, if it is due and the day's cap allows it."""
    review = (
        PreReview.objects.select_for_update(no_key=True)
        .select_related("case", "case__client", "case__service")
        .get(pk=review.pk)
    )
    case = review.case
    if not review.holding or case.state != CaseState.ON_HOLD:
        return None
    items = open_items(review)
    if not items:
        return None
    last = review.messages.aggregate(n=Max("number"), at=Max("sent_at"))
    if last["n"] is None:  # held without a notice sent (before this existed): notice first
        return correction_notice_send(review=review, now=now)
    if now < reminder_due(review, items, last["at"]):
        return None
    if _sent_today(case.pk, now) >= settings.EXPEDITE_CORRECTION_REMINDERS_PER_DAY:
        return None
    number = last["n"] + 1
    due = correction_due(review)
    message = _record(review, number, items, due, now)
    if message is None:
        return None

    def subject() -> str:
        return _("【材料补正提醒】%(ref)s 还有 %(n)s 项材料待补正") % {
            "ref": case.reference,
            "n": len(items),
        }

    def email() -> tuple[str, str]:
        service = case.service.display_name(get_language())
        lines = [
            _("%(client)s，您好：%(service)s（%(ref)s）以下材料尚未补正：")
            % {"client": case.client.name, "service": service, "ref": case.reference},
            *_item_lines(review, items),
            "",
            *_footer(case, due, now),
        ]
        return subject(), "\n".join(lines)

    values = _text_values(case, due, count=len(items))
    with override("zh-hans"):
        values["what"] = _("还有 %(n)s 项材料待补正") % {"n": len(items)}
    told = tell_client(
        key=_key(review, number, items),
        case=case,
        compose=email,
        now=now,
        sms=(SmsKind.REMINDER, values),
    )
    message.emails, message.texts = told.emails, told.texts
    message.save(update_fields=["emails", "texts"])
    audit_record(
        kind=AuditKind.CORRECTION_REMINDER_SENT,
        case=case,
        payload={
            "round": review.round,
            "number": number,
            "items": items,
            "due_at": due.isoformat(),
            "emails": message.emails,
            "texts": message.texts,
        },
    )
    return message


def correction_reminders(*, now: dt.datetime) -> dict:
    """The job's step: one reminder for each held case whose next one is due.

    Nothing outside the firm's working hours or on a day off: a reminder that fell due then
    goes when work resumes. Each case is its own transaction, its round locked, so two workers
    never send the same reminder.
    """
    if not firm_calendar().is_working_time(now):
        return {"sent": 0, "quiet": True}
    held = PreReview.objects.filter(holding=True, case__state=CaseState.ON_HOLD).only("pk")
    sent = sum(1 for review in held if correction_remind(review=review, now=now) is not None)
    return {"sent": sent, "quiet": False}
