"""企业微信 application messages to one staff member: a text card with a link to act on.

The access token is shared by every worker through the cache and fetched again when it runs
out or 企业微信 says it is no longer valid. Each message asks 企业微信 to drop an identical
one to the same person within four hours (`enable_duplicate_check`), so a retry after a
timeout — when the first request may have arrived — does not show the card twice.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache

from .errors import ChannelError, ChannelRefused

# Documented limits of a text card (bytes, UTF-8).
TITLE_MAX_BYTES = 128
DESCRIPTION_MAX_BYTES = 512
URL_MAX_BYTES = 2048
DUPLICATE_CHECK_SECONDS = 4 * 3600  # the longest 企业微信 allows

# errcodes worth a later try: system busy, API rate or concurrency limits, per-member limits.
RETRY_ERRCODES = {-1, 45009, 45033, 45047, 45011}
# The token is no longer accepted: fetch a new one and try once more.
TOKEN_ERRCODES = {40014, 42001, 41001}
# The refresh margin: a token is fetched again this long before 企业微信 says it expires.
TOKEN_MARGIN_SECONDS = 300


def configured() -> bool:
    return bool(settings.EXPEDITE_WECOM_CORP_ID)


def _cache_key() -> str:
    return f"wecom:token:{settings.EXPEDITE_WECOM_CORP_ID}:{settings.EXPEDITE_WECOM_AGENT_ID}"


def _call(path: str, *, query: dict, body: dict | None = None) -> dict:
    base = settings.EXPEDITE_WECOM_API_URL.rstrip("/")
    url = f"{base}{path}?{urllib.parse.urlencode(query)}"
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the address is the operator's own setting
        url,
        data=data,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST" if data is not None else "GET",
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.EXPEDITE_WECOM_TIMEOUT_SECONDS
        ) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code} from 企业微信") from exc
    except OSError as exc:  # refused, unreachable, timed out
        raise ChannelError(f"企业微信 not reached: {exc}") from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise ChannelError(f"not JSON: {raw[:200]!r}") from exc
    if not isinstance(answer, dict):
        raise ChannelError(f"unexpected answer: {raw[:200]!r}")
    return answer


def access_token(*, fresh: bool = False) -> str:
    """The application's access token, from the cache unless `fresh` or expired."""
    if not fresh:
        token = cache.get(_cache_key())
        if token:
            return token
    answer = _call(
        "/cgi-bin/gettoken",
        query={
            "corpid": settings.EXPEDITE_WECOM_CORP_ID,
            "corpsecret": settings.EXPEDITE_WECOM_APP_SECRET,
        },
    )
    if answer.get("errcode") != 0 or not answer.get("access_token"):
        problem = f"gettoken errcode {answer.get('errcode')}: {answer.get('errmsg')}"
        if answer.get("errcode") in RETRY_ERRCODES:
            raise ChannelError(problem)
        raise ChannelRefused(problem)  # a wrong corp id or secret needs a person
    lifetime = int(answer.get("expires_in") or 7200)
    cache.set(_cache_key(), answer["access_token"], max(60, lifetime - TOKEN_MARGIN_SECONDS))
    return answer["access_token"]


def cut(text: str, limit: int) -> str:
    """`text` within `limit` UTF-8 bytes, ending in "…" when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


def card(*, userid: str, title: str, description: str, url: str) -> dict:
    return {
        "touser": userid,
        "msgtype": "textcard",
        "agentid": settings.EXPEDITE_WECOM_AGENT_ID,
        "textcard": {
            "title": cut(title, TITLE_MAX_BYTES),
            "description": cut(description, DESCRIPTION_MAX_BYTES),
            # An address cut short leads nowhere: the case's link fits with room to spare.
            "url": url if len(url.encode("utf-8")) <= URL_MAX_BYTES else "",
            "btntxt": "详情",
        },
        "enable_duplicate_check": 1,
        "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
    }


def send_card(*, userid: str, title: str, description: str, url: str) -> str:
    """Send one text card; returns 企业微信's msgid. Raises ChannelError to retry later,
    ChannelRefused for an unknown member or a configuration 企业微信 rejects."""
    if not configured():
        raise ChannelError("EXPEDITE_WECOM_CORP_ID is not set")
    if not userid:
        raise ChannelRefused("no 企业微信 account for this person")
    body = card(userid=userid, title=title, description=description, url=url)
    answer = _call("/cgi-bin/message/send", query={"access_token": access_token()}, body=body)
    if answer.get("errcode") in TOKEN_ERRCODES:
        token = access_token(fresh=True)
        answer = _call("/cgi-bin/message/send", query={"access_token": token}, body=body)
    errcode = answer.get("errcode")
    problem = f"errcode {errcode}: {answer.get('errmsg')}"
    if errcode == 0 and not answer.get("invaliduser"):
        return str(answer.get("msgid") or "")
    if errcode == 0:
        raise ChannelRefused(f"企业微信 does not know the account {answer.get('invaliduser')}")
    if errcode in RETRY_ERRCODES or errcode in TOKEN_ERRCODES:
        raise ChannelError(problem)
    raise ChannelRefused(problem)
