"""The client portal's pure rules: masking contacts, one-time codes, the current milestone."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codes import CodeProblem
from .errors import gettext_noop

CODE_TTL = dt.timedelta(minutes=10)


# -- masking ------------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """周敏 → 周*, Wang Wei → W***: enough for the client to recognise, not to harvest."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, min(len(name) - 1, 3))


def mask_phone(phone: str) -> str:
    """13800000001 → 138****0001; short numbers keep only their last two digits."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) >= 11:
        digits = digits[-11:]  # drop a country code (+86)
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 4:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def mask_email(email: str) -> str:
    """zhou@example.com → z***@example.com."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return ""
    return f"{local[:1]}***@{domain}"


# -- one-time codes -----------------------------------------------------------------------------


CODE_PROBLEM_MESSAGES = {
    CodeProblem.WRONG: gettext_noop("验证码不正确，还可尝试 %(left)s 次。"),
    CodeProblem.EXPIRED: gettext_noop("验证码已过期（有效期 10 分钟），请重新获取。"),
    CodeProblem.EXHAUSTED: gettext_noop("验证码输错次数过多，已失效，请重新获取。"),
    CodeProblem.USED: gettext_noop("该验证码已使用过，请重新获取。"),
    CodeProblem.NONE: gettext_noop("请先获取验证码。"),
}


# -- milestones ---------------------------------------------------------------------------------


class MilestoneState(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"


@dataclass(frozen=True, slots=True)
class StepFact:
    milestone: str
    finished: bool


def milestone_states(
    milestones: Sequence[str], steps: Iterable[StepFact]
) -> list[tuple[str, MilestoneState]]:
    """Each client-visible milestone with its state, from the case's steps in plan order.

    The first unfinished step that names a milestone makes that milestone current and all
    before it done. With no steps yet nothing is current; with every step finished all are done.
    """
    steps = [s for s in steps if s.milestone]
    if not steps:
        return [(m, MilestoneState.TODO) for m in milestones]
    current = next((s.milestone for s in steps if not s.finished), None)
    if current is None:
        return [(m, MilestoneState.DONE) for m in milestones]
    if current not in milestones:
        return [(m, MilestoneState.TODO) for m in milestones]
    at = list(milestones).index(current)
    return [
        (
            m,
            MilestoneState.DONE
            if i < at
            else MilestoneState.CURRENT
            if i == at
            else MilestoneState.TODO,
        )
        for i, m in enumerate(milestones)
    ]
