"""One-time codes a client types to prove it reads a registered contact's mail or phone (portal
verification, custody handovers): generation, the stored digest and the check.

The digest is an HMAC bound to a scope (the row the code belongs to): the table alone cannot
reveal a six-digit code by trying all million, and a code proves nothing for another row.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass

CODE_DIGITS = 6
CODE_MAX_ATTEMPTS = 5


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(code: str, *, key: bytes, scope: str) -> str:
    return hmac.new(key, f"{scope}:{code}".encode(), hashlib.sha256).hexdigest()


class CodeProblem(enum.StrEnum):
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # too many wrong attempts
    USED = "used"
    NONE = "none"  # no code has been sent (or it was replaced)


@dataclass(frozen=True, slots=True)
class CodeState:
    digest: str
    expires_at: dt.datetime
    attempts: int
    used: bool


def check_code(
    state: CodeState | None, entered: str, *, key: bytes, scope: str, now: dt.datetime
) -> CodeProblem | None:
    """What is wrong with the entered code, or None when it is right.

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
    if not hmac.compare_digest(code_digest(entered, key=key, scope=scope), state.digest):
        return CodeProblem.WRONG
    return None
