"""结果闭环交付: the client's evaluation, the confirmation record and the plan-vs-actual dates
shown on the 加急服务结果确认单 (seed, 结果闭环交付: "服务事项、完成时间、结果文件、客户评价").

The record is what the firm signs: the same text goes into the visible PDF and into the
signature's reason, so a reader sees it without opening the document's body.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from .calendar import WorkCalendar
from .cases import CaseState
from .errors import ValidationFailed, gettext_noop
from .text import clean_text

REMARK_MAX = 500
RESULT_KIND = "result"
CONFIRMATION_KIND = "confirmation"


class Evaluation(enum.StrEnum):
    """The client's word on the result when it signs for it (the 1–5 survey comes later)."""

    SATISFIED = "satisfied"
    MOSTLY = "mostly"
    UNSATISFIED = "unsatisfied"


EVALUATION_LABELS = {
    Evaluation.SATISFIED: gettext_noop("满意"),
    Evaluation.MOSTLY: gettext_noop("基本满意"),
    Evaluation.UNSATISFIED: gettext_noop("不满意"),
}


def check_evaluation(raw: str | None, remark: str | None) -> tuple[Evaluation, str]:
    """The evaluation and the cleaned remark; an unhappy client must say why."""
    try:
        evaluation = Evaluation(raw or "")
    except ValueError:
        raise ValidationFailed(
            gettext_noop("请选择您对结果的评价：满意、基本满意或不满意。"), field="evaluation"
        ) from None
    text = clean_text(
        remark,
        field="remark",
        label=gettext_noop("意见"),
        max_length=REMARK_MAX,
        required=evaluation == Evaluation.UNSATISFIED,
    )
    return evaluation, text


def check_confirmable(state: CaseState, *, result_files: int, confirmed: bool) -> None:
    """A case is confirmed once, after delivery, and only with something to confirm."""
    if confirmed:
        raise ValidationFailed(
            gettext_noop("本单的结果已经确认过，不能重复确认。"), field="confirmation"
        )
    if state != CaseState.DELIVERED:
        raise ValidationFailed(gettext_noop("本单尚未交付结果，暂不能确认。"), field="confirmation")
    if result_files < 1:
        raise ValidationFailed(
            gettext_noop("本所尚未上传结果文件，暂不能确认；请联系您的客户对接专员。"),
            field="confirmation",
        )


@dataclass(frozen=True, slots=True)
class ConfirmationRecord:
    """Who confirmed, when, from where, with which one-time code."""

    case_reference: str
    client_name: str
    contact_name: str
    confirmed_at: dt.datetime  # aware
    ip: str
    code_id: int
    evaluation: Evaluation
    remark: str

    def lines(self, tz: dt.tzinfo) -> list[tuple[str, str]]:
        """(label, value) rows, Chinese, as printed on the form and in the signature."""
        when = self.confirmed_at.astimezone(tz)
        return [
            ("确认人", f"{self.contact_name}（{self.client_name}）"),
            ("确认时间", f"{when:%Y-%m-%d %H:%M:%S} (UTC{when:%z})"),
            ("确认 IP", self.ip or "未知"),
            ("验证码编号", f"#{self.code_id}"),
            ("客户评价", EVALUATION_LABELS[self.evaluation]),
        ]

    def signature_reason(self, tz: dt.tzinfo) -> str:
        """The signature's /Reason: the confirmation in one line."""
        facts = "；".join(f"{k}：{v}" for k, v in self.lines(tz))
        return f"客户确认加急单 {self.case_reference} 的办理结果。{facts}"


@dataclass(frozen=True, slots=True)
class DateRow:
    label: str
    planned: dt.date | None
    actual: dt.date | None

    def slip_workdays(self, calendar: WorkCalendar) -> int | None:
        """Working days late (positive) or early (negative) on the firm's calendar, so a slip
        over a weekend or 春节 counts the days people worked; None when either is unknown."""
        if self.planned is None or self.actual is None:
            return None
        return calendar.workdays_between(self.planned, self.actual)


def slip_text(days: int | None) -> str:
    if days is None:
        return "—"
    if days == 0:
        return "按期"
    return f"晚 {days} 个工作日" if days > 0 else f"提前 {-days} 个工作日"
