"""Custody of the client's physical items (证照印章保管): the rules, free of Django.

Who may confirm a handover, when a held item is overdue, and how a one-time confirmation
code is checked. Time is passed in; the calendar is the firm's `WorkCalendar`.
"""

from __future__ import annotations

import datetime as dt
import enum

from .calendar import DAY_KIND_ZH, WorkCalendar
from .codes import CodeProblem
from .errors import ValidationFailed, gettext_noop

CODE_TTL = dt.timedelta(minutes=30)


class ItemKind(enum.StrEnum):
    COMPANY_SEAL = "company_seal"  # 公章
    FINANCE_SEAL = "finance_seal"  # 财务章
    LEGAL_REP_SEAL = "legal_rep_seal"  # 法人章
    INVOICE_SEAL = "invoice_seal"  # 发票专用章
    LICENSE_ORIGINAL = "license_original"  # 营业执照正本
    LICENSE_COPY = "license_copy"  # 营业执照副本
    TAX_UKEY = "tax_ukey"  # 税务UKey
    CA_CERT = "ca_cert"  # CA证书
    ORIGINAL_DOCUMENT = "original_document"  # 原件
    OTHER = "other"


# An original document or "other" item says nothing without a description.
NEEDS_DESCRIPTION = frozenset({ItemKind.ORIGINAL_DOCUMENT, ItemKind.OTHER})


class ItemState(enum.StrEnum):
    IN_FIRM = "in_firm"
    RETURNED = "returned"


class MovementKind(enum.StrEnum):
    CHECK_IN = "check_in"  # client → staff
    TRANSFER = "transfer"  # staff → staff
    CHECK_OUT = "check_out"  # staff → client


# The client confirms what passes between it and the firm, with a code sent to it.
CLIENT_CONFIRMS = frozenset({MovementKind.CHECK_IN, MovementKind.CHECK_OUT})


class ConfirmMethod(enum.StrEnum):
    STAFF = "staff"
    PORTAL_CODE = "portal_code"


def confirming_staff_id(
    kind: MovementKind, *, recorded_by: int, from_user: int | None, to_user: int | None
) -> int | None:
    """The staff member who confirms a transfer: the other party, never the recorder.

    Normally the receiver confirms; when the receiver recorded it (a supervisor taking an item
    over), the giver confirms. Client handovers are confirmed by the client (None here).
    """
    if kind != MovementKind.TRANSFER:
        return None
    return to_user if to_user != recorded_by else from_user


def check_expected_return(cal: WorkCalendar, day: dt.date, *, today: dt.date) -> None:
    """The promised return date must be a working day, not in the past."""
    if day < today:
        raise ValidationFailed(gettext_noop("预计归还日期不能早于今天。"), field="expected_return")
    if not cal.is_workday(day):
        info = cal.explain(day)
        raise ValidationFailed(
            gettext_noop(
                "%(day)s 是%(kind)s，本所不办公；请选择工作日，例如下一个工作日 %(next)s。"
            ),
            field="expected_return",
            params={
                "day": day.isoformat(),
                "kind": DAY_KIND_ZH[info.kind] + (f"（{info.name}）" if info.name else ""),
                "next": cal.next_workday(day).isoformat(),
            },
        )


def end_of_day(cal: WorkCalendar, day: dt.date) -> dt.datetime:
    """When the firm's working hours of `day` end (a non-workday: those of the workday before)."""
    return cal.at_work_clock(cal.work_clock_end_of(day))


def overdue_cutoff(cal: WorkCalendar, now: dt.datetime) -> dt.date:
    """The latest expected-return date that is overdue at `now`.

    An item is due back by the end of the working hours of its expected-return day; from then
    on it is overdue, through evenings, weekends and holidays alike (a 税务UKey due on the day
    before 国庆 is overdue all through the holiday). Items with expected_return <= the cutoff
    are overdue.
    """
    today = now.astimezone(cal.tz).date()
    if now > end_of_day(cal, today):
        return today
    return today - dt.timedelta(days=1)


def is_overdue(cal: WorkCalendar, expected_return: dt.date | None, now: dt.datetime) -> bool:
    return expected_return is not None and expected_return <= overdue_cutoff(cal, now)


# -- one-time codes -----------------------------------------------------------------------------


CODE_PROBLEM_MESSAGES = {
    CodeProblem.WRONG: gettext_noop("确认码不正确，还可尝试 %(left)s 次。"),
    CodeProblem.EXPIRED: gettext_noop("确认码已过期（有效期 30 分钟），请联系我们重新发送。"),
    CodeProblem.EXHAUSTED: gettext_noop("确认码输错次数过多，已失效，请联系我们重新发送。"),
    CodeProblem.USED: gettext_noop("该交接已确认，无需再次输入确认码。"),
    CodeProblem.NONE: gettext_noop("该交接没有有效的确认码，请联系我们重新发送。"),
}
