"""No closing a case that went wrong (late, an incident, a low score) without its 复盘."""

from __future__ import annotations

from django.utils.translation import gettext as _

from expedite.domain.cases import CaseState
from expedite.domain.errors import ValidationFailed, gettext_noop

from .selectors import has_retrospective, retrospective_reasons_for


def retrospective_before_closing(case, target: CaseState, actor) -> None:
    if case.state != CaseState.CONFIRMED.value or target != CaseState.CLOSED:
        return

    reasons = retrospective_reasons_for(case)
    if reasons and not has_retrospective(case):
        raise ValidationFailed(
            gettext_noop("本单%(reasons)s，须先在加急单页面的“复盘”处完成复盘，才能结案。"),
            field="state",
            params={"reasons": _("、").join(_(REASON_TEXT[r]) for r in reasons)},
        )


REASON_TEXT = {
    "late": gettext_noop("超过客户要求的截止日期交付"),
    "incident": gettext_noop("发生过异常"),
    "low_score": gettext_noop("客户评分偏低"),
}
