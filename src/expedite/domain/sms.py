"""Text messages in China: approved templates with variables, and how often one number may get one.

A provider sends only the text of a template the firm has filed and had approved, with its
variables filled in; the firm files the texts below (docs/notifications.md lists them). Each
variable is kept within the length both providers accept, so a case reference or a service
name never makes a message bounce: a longer value is shortened here, not at the provider.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class SmsKind(StrEnum):
    CODE = "code"  # a one-time code
    NOTICE = "notice"  # 一次性告知: everything still missing, listed once
    REMINDER = "reminder"  # something the client still has to do, by a date
    DELIVERY = "delivery"  # the result is ready for the client to confirm
    RISK = "risk"  # 风险提示: the promised date is at risk or has moved
    RECEIVED = "received"  # a request the client started is received


@dataclass(frozen=True)
class Variable:
    name: str
    max_chars: int
    digits: bool = False


@dataclass(frozen=True)
class Template:
    kind: SmsKind
    title: str  # what the message is, in the firm's records (the outbox, the evidence file)
    text: str  # as filed, with ${name} for each variable
    variables: tuple[Variable, ...]

    def subject(self, values: dict[str, str]) -> str:
        ref = values.get("ref")
        return f"【{self.title}】{ref}" if ref else f"【{self.title}】"

    def render(self, values: dict[str, str], *, site: str = "") -> str:
        """The text the recipient reads, `site` being the firm's address the template carries."""
        text = self.text.replace("{site}", site.rstrip("/"))
        return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), ""), text)


# Variables are at most 20 characters (the stricter provider's rule for a notice variable);
# the link variable is the short code after the firm's fixed address, which the template
# carries as text because neither provider accepts a whole address as a variable.
_REF = Variable("ref", 20)
_SERVICE = Variable("service", 20)
_LINK = Variable("link", 12)
_DATE = Variable("date", 10)

TEMPLATES: dict[SmsKind, Template] = {
    t.kind: t
    for t in (
        Template(
            SmsKind.CODE,
            "验证码",
            "您的验证码为${code}，仅用于本次确认，请勿告诉他人。如非本人操作，请忽略本短信。",
            (Variable("code", 6, digits=True),),
        ),
        Template(
            SmsKind.NOTICE,
            "材料补正一次性告知",
            "您的${service}（${ref}）还需补充${count}项材料，已一次性列明，请于${date}前提交。"
            "详情：{site}/s/${link}",
            (_SERVICE, _REF, Variable("count", 3, digits=True), _DATE, _LINK),
        ),
        Template(
            SmsKind.REMINDER,
            "补正提醒",
            "提醒：您的${service}（${ref}）${what}，请于${date}前处理。详情：{site}/s/${link}",
            (_SERVICE, _REF, Variable("what", 20), _DATE, _LINK),
        ),
        Template(
            SmsKind.DELIVERY,
            "结果待确认",
            "您的${service}（${ref}）已办结，请查看并确认结果。详情：{site}/s/${link}",
            (_SERVICE, _REF, _LINK),
        ),
        Template(
            SmsKind.RISK,
            "风险提示",
            "风险提示：您的${service}（${ref}）${risk}，预计完成日${date}。详情：{site}/s/${link}",
            (_SERVICE, _REF, Variable("risk", 20), _DATE, _LINK),
        ),
        Template(
            SmsKind.RECEIVED,
            "已收到加急申请",
            "您的${service}加急申请已收到（${ref}），我们将尽快联系您。进度：{site}/s/${link}",
            (_SERVICE, _REF, _LINK),
        ),
    )
}


def fit(kind: SmsKind, values: dict[str, object]) -> dict[str, str]:
    """The template's variables from `values`, each as text within its length (a longer one
    ends in "…"). Raises ValueError for a missing variable or a code that is not digits."""
    template = TEMPLATES[kind]
    fitted = {}
    for var in template.variables:
        if var.name not in values:
            raise ValueError(f"missing SMS variable {var.name!r} for {kind}")
        text = " ".join(str(values[var.name]).split())
        if var.digits and not (text.isdigit() and len(text) <= var.max_chars):
            raise ValueError(f"SMS variable {var.name!r} must be up to {var.max_chars} digits")
        if len(text) > var.max_chars:
            text = text[: var.max_chars - 1] + "…"
        fitted[var.name] = text
    return fitted


_MOBILE = re.compile(r"1[3-9]\d{9}")


def mainland_mobile(phone: str) -> str | None:
    """The 11-digit mainland mobile number in `phone` (spaces, dashes, +86 allowed), or None."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MOBILE.fullmatch(digits) else None


@dataclass(frozen=True)
class Limit:
    count: int
    window: dt.timedelta

    def __str__(self) -> str:
        return f"{self.count}/{int(self.window.total_seconds())}"


# About what both providers apply to codes by default: 1 a minute, 5 an hour, 10 a day.
DEFAULT_CODE_LIMITS = (
    Limit(1, dt.timedelta(minutes=1)),
    Limit(5, dt.timedelta(hours=1)),
    Limit(10, dt.timedelta(days=1)),
)


def parse_limits(text: str) -> tuple[Limit, ...]:
    """ "1/60,5/3600,10/86400" (count/seconds, comma-separated) as limits."""
    limits = []
    for part in text.split(","):
        count, _, seconds = part.strip().partition("/")
        if not (count.isdigit() and seconds.isdigit() and int(count) > 0 and int(seconds) > 0):
            raise ValueError(f"not a limit (count/seconds): {part.strip()!r}")
        limits.append(Limit(int(count), dt.timedelta(seconds=int(seconds))))
    return tuple(limits)


def limit_reached(
    sent: list[dt.datetime], *, now: dt.datetime, limits: tuple[Limit, ...]
) -> tuple[Limit, dt.datetime] | None:
    """The first limit another message at `now` would break, with when it is allowed again;
    None when it may go. `sent`: when earlier messages to the same number went."""
    for limit in limits:
        recent = sorted(t for t in sent if now - limit.window < t <= now)
        if len(recent) >= limit.count:
            return limit, recent[-limit.count] + limit.window
    return None
