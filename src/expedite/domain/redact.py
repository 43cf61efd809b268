"""Secrets masked in text that is kept: one-time codes, portal link tokens, mobile numbers.

A portal link's path segment (`/p/<token>/…`) opens the client's case like a password, and a
verification code is one for ten minutes; logs are kept longer and read by more people than
either. `redact` keeps the route and the fact, not the secret: `GET /p/…/verify/`,
`SMS to 138****0001: 您的验证码是 ******`.
"""

from __future__ import annotations

import re

# Everything under /p/ starts with the link's token (portal, materials, delivery, custody,
# feedback routes); also the percent-encoded form, as in a `next=` query parameter.
_PORTAL_TOKEN = re.compile(r"(/p/)[^/\s?#\"'<>]+")
_PORTAL_TOKEN_ENCODED = re.compile(r"(%2[Ff]p%2[Ff])[^\s%&#\"'<>]+")
# A calendar feed's address is its secret too (`/feeds/<token>.ics`).
_FEED_TOKEN = re.compile(r"(/feeds/)[^/\s?#\"'<>]+?(\.ics)")
# A 4–8 digit code a few characters after the word that announces it, in any of our messages
# (验证码 / 确认码, and their English translations "verification code", "confirmation code").
_CODE = re.compile(r"(验证码|确认码|(?i:\bcode\b))([^\d\n]{0,12}?)(?<!\d)\d{4,8}(?!\d)")
# Mainland mobile numbers, with or without +86: the middle four digits are masked.
_MOBILE = re.compile(r"(?<![\d+])((?:\+?86)?1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    text = _PORTAL_TOKEN.sub(r"\1…", text)
    text = _PORTAL_TOKEN_ENCODED.sub(r"\1…", text)
    text = _FEED_TOKEN.sub(r"\1…\2", text)
    text = _CODE.sub(r"\1\2******", text)
    return _MOBILE.sub(r"\1****\2", text)
