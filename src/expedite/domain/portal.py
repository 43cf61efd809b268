"""The client portal's pure rules: masking contacts, one-time codes, the current milestone."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import gettext_noop

CODE_TTL = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_DIGITS = 6


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


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(code: str, *, key: bytes, code_id: int) -> str:
    """HMAC-SHA256 bound to the code's row: the table alone cannot reveal a six-digit code by
    trying all million, and a code proves nothing for another row (another case)."""
    return hmac.new(key, f"portal:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


class CodeProblem(enum.StrEnum):
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    USED = "used"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class CodeState:
    digest: str
    expires_at: dt.datetime
    attempts: int
    used: bool


def check_code(
    state: CodeState | None, entered: str, *, key: bytes, code_id: int, now: dt.datetime
) -> CodeProblem | None:
    """What is wrong with the entered code, or None when it proves the client.

    Only WRONG costs an attempt; the caller counts it.
    """
    if state is None:
        return CodeProblem.NONE
    if state.used:
        return CodeProblem.USED
    if state.attempts >= CODE_MAX_ATTEMPTS:
        return CodeProblem.EXHAUSTED
    if now >= state.expires_at:
        return CodeProblem.EXPIRED
    entered = (entered or "").strip()
    if not (len(entered) == CODE_DIGITS and entered.isascii() and entered.isdigit()):
        return CodeProblem.WRONG
    if not hmac.compare_digest(code_digest(entered, key=key, code_id=code_id), state.digest):
        return CodeProblem.WRONG
    return None


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
