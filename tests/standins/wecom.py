"""A loopback stand-in for the 企业微信 (WeCom) server API that sends application messages.

The product talks to https://qyapi.weixin.qq.com; tests point it at `WecomApi.url` instead, so
delivery, refusals, token expiry, rate limits and timeouts can be exercised without the internet.
Behaviour follows the published documents on developer.work.weixin.qq.com:
gettoken (/document/path/91039), message/send (/document/path/90236) and the global error codes
(/document/path/90313). Only members (`touser`) are modelled, not departments or tags.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN_TTL_SECONDS = 7200
MAX_RECIPIENTS = 1000
TITLE_BYTES = 128
DESCRIPTION_BYTES = 512
URL_BYTES = 2048
BUTTON_CHARS = 4
TEXT_BYTES = 2048
DEFAULT_BUTTON = "详情"
DUPLICATE_CHECK_DEFAULT_SECONDS = 1800
DUPLICATE_CHECK_MAX_SECONDS = 4 * 3600

# errmsg in the service's style; only the errcodes are published, and the documents say to
# decide on errcode alone, so built-in refusals also carry the service's ", hint: [...]" tail.
ERRMSG = {
    -1: "system busy",
    40001: "invalid credential",
    40008: "invalid message type",
    40013: "invalid corpid",
    40014: "invalid access_token",
    40032: "invalid userid list size",
    40039: "invalid url size",
    40056: "invalid agentid",
    40058: "invalid parameter, Warning: wrong json format.",
    41001: "access_token missing",
    41002: "corpid missing",
    41004: "corpsecret missing",
    41010: "url missing",
    41011: "agentid missing",
    41016: "title missing",
    41033: "description missing",
    42001: "access_token expired",
    44004: "empty content",
    45002: "content size out of limit",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    45034: "url must have protocol header",
    81013: "user & party & tag all invalid",
    82001: "all touser & toparty & totag empty",
}


@dataclass(frozen=True)
class Card:
    """One accepted message/send, as the members saw it.

    For text messages `title`, `url` and `btntxt` are empty and `description` is the content.
    For text cards, over-long title, description and button text are cut as the service cuts
    them, and a missing button text reads "详情", the service's default.
    """

    touser: tuple[str, ...]
    msgtype: str
    title: str
    description: str
    url: str
    btntxt: str
    agentid: int
    msgid: str


class _Refusal(Exception):
    def __init__(self, errcode: int, **extra: str) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.extra = extra


def _error(errcode: int, errmsg: str = "", **extra: str) -> dict:
    if not errmsg:
        errmsg = (
            f"{ERRMSG.get(errcode, 'error')}, hint: [{int(time.time())}_{secrets.token_hex(8)}], "
            f"from ip: 127.0.0.1, more info at "
            f"https://open.work.weixin.qq.com/devtool/query?e={errcode}"
        )
    return {"errcode": errcode, "errmsg": errmsg, **extra}


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


def _canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def _field(block: dict, key: str) -> str:
    value = block.get(key)
    return "" if value is None else str(value)


class WecomApi:
    """企业微信 gettoken and message/send on 127.0.0.1, one self-built app, known members.

    `users` are the member userids inside the app's visible range; `per_member_per_minute` and
    `per_member_per_hour` are the documented per-member limits (30 and 1000), lowered in tests.
    `strict=True` refuses over-long text-card fields with 45002 instead of cutting them as the
    service does, so a test can prove the product keeps within the limits itself. A request
    with `enable_duplicate_check` identical to one accepted within its interval is answered
    "ok" with the first msgid and not delivered again, which makes retries after a timeout safe.
    """

    def __init__(
        self,
        *,
        corp_id: str = "ww-test-corp",
        secret: str = "test-app-secret",  # noqa: S107 - a made-up secret for tests
        agent_id: int = 1000002,
        users: tuple[str, ...] | set[str] = (
            "zhangmin",
            "liqiang",
            "wangfang",
            "zhaolei",
            "chenjing",
            "liuyang",
        ),
        per_member_per_minute: int = 30,
        per_member_per_hour: int = 1000,
        strict: bool = False,
    ) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.users: set[str] = set(users)
        self.per_member_per_minute = per_member_per_minute
        self.per_member_per_hour = per_member_per_hour
        self.strict = strict
        self.url = ""
        self.token_requests = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._messages: list[Card] = []
        self._tokens: dict[str, bool] = {}  # token -> still valid
        self._failures: deque[tuple[int, str]] = deque()
        self._hangs: deque[float] = deque()
        self._sent_at: dict[str, deque[float]] = {}
        self._accepted_at: dict[str, tuple[float, str]] = {}  # request JSON -> (when, msgid)
        self._clock_offset = 0.0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> WecomApi:
        self._stopping = threading.Event()
        handler = type("_BoundHandler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop() waits for the loop to notice
            name="wecom-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving; answers still held back by `hang_next` are released at once."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> WecomApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # What tests arrange

    def add_user(self, userid: str) -> None:
        with self._lock:
            self.users.add(userid)

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001, as when its two hours are up."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = False

    def fail_next(self, errcode: int, errmsg: str = "") -> None:
        """The next message/send (queued in order) is answered with this error, whatever it
        carries, and nothing is recorded."""
        with self._lock:
            self._failures.append((errcode, errmsg))

    def hang_next(self, seconds: float) -> None:
        """The next message/send is handled as usual (recorded if accepted) but answered only
        after `seconds`: the product times out on a message the members did get."""
        with self._lock:
            self._hangs.append(seconds)

    def advance_clock(self, seconds: float) -> None:
        """Moves the stand-in's own clock (the rate-limit windows) forward without sleeping."""
        with self._lock:
            self._clock_offset += seconds

    # What tests read

    @property
    def messages(self) -> list[Card]:
        with self._lock:
            return list(self._messages)

    def to(self, userid: str) -> list[Card]:
        return [card for card in self.messages if userid in card.touser]

    # The service

    def _now(self) -> float:
        # Monotonic: the suite pins the wall clock, which must not freeze the limits.
        return time.monotonic() + self._clock_offset

    def _answer_gettoken(self, query: dict[str, list[str]]) -> dict:
        corpid = (query.get("corpid") or [""])[0]
        corpsecret = (query.get("corpsecret") or [""])[0]
        with self._lock:
            self.token_requests += 1
            if not corpid:
                return _error(41002)
            if not corpsecret:
                return _error(41004)
            if corpid != self.corp_id:
                return _error(40013)
            if corpsecret != self.secret:
                return _error(40001)
            token = secrets.token_urlsafe(48)
            self._tokens[token] = True
        return {
            "errcode": 0,
            "errmsg": "ok",
            "access_token": token,
            "expires_in": TOKEN_TTL_SECONDS,
        }

    def _answer_send(self, query: dict[str, list[str]], body: bytes) -> tuple[dict, float]:
        """The answer to one message/send and how long to hold it back."""
        with self._lock:
            self.requests += 1
            delay = self._hangs.popleft() if self._hangs else 0.0
            if self._failures:
                errcode, errmsg = self._failures.popleft()
                return _error(errcode, errmsg), delay
            try:
                card, invalid, fresh = self._accept(query, body)
            except _Refusal as refusal:
                return _error(refusal.errcode, **refusal.extra), delay
            if fresh:
                self._messages.append(card)
        return {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(invalid),
            "invalidparty": "",
            "invalidtag": "",
            "unlicenseduser": "",
            "msgid": card.msgid,
            "response_code": "",
        }, delay

    def _accept(self, query: dict[str, list[str]], body: bytes) -> tuple[Card, list[str], bool]:
        """The card to deliver, the unknown members, and whether the card is new (not a
        duplicate the service drops)."""
        token = (query.get("access_token") or [""])[0]
        if not token:
            raise _Refusal(41001)
        if token not in self._tokens:
            raise _Refusal(40014)
        if not self._tokens[token]:
            raise _Refusal(42001)
        try:
            payload = json.loads(body)
        except ValueError:
            raise _Refusal(40058) from None
        if not isinstance(payload, dict):
            raise _Refusal(40058)
        agentid = payload.get("agentid")
        if agentid is None or agentid == "":
            raise _Refusal(41011)
        if str(agentid).strip() != str(self.agent_id):
            raise _Refusal(40056)
        msgtype = payload.get("msgtype")
        if msgtype == "textcard":
            title, description, url, btntxt = self._textcard(payload.get("textcard"))
        elif msgtype == "text":
            title, url, btntxt = "", "", ""
            description = self._text(payload.get("text"))
        else:
            raise _Refusal(40008)
        valid, invalid = self._recipients(payload.get("touser"))
        earlier = self._duplicate_of(payload)
        if earlier is not None:
            return earlier, invalid, False
        self._count_against_limits(valid)
        card = Card(
            touser=tuple(valid),
            msgtype=msgtype,
            title=title,
            description=description,
            url=url,
            btntxt=btntxt,
            agentid=self.agent_id,
            msgid=secrets.token_urlsafe(64),
        )
        if payload.get("enable_duplicate_check") in (1, "1", True):
            self._accepted_at[_canonical(payload)] = (self._now(), card.msgid)
        return card, invalid, True

    def _duplicate_of(self, payload: dict) -> Card | None:
        """The card an identical request with `enable_duplicate_check` already delivered
        within `duplicate_check_interval`: the service does not deliver it again."""
        if payload.get("enable_duplicate_check") not in (1, "1", True):
            return None
        try:
            interval = int(payload.get("duplicate_check_interval") or 0)
        except (TypeError, ValueError):
            interval = 0
        interval = min(interval or DUPLICATE_CHECK_DEFAULT_SECONDS, DUPLICATE_CHECK_MAX_SECONDS)
        earlier = self._accepted_at.get(_canonical(payload))
        if earlier is None or self._now() - earlier[0] >= interval:
            return None
        return next(card for card in self._messages if card.msgid == earlier[1])

    def _textcard(self, block: object) -> tuple[str, str, str, str]:
        block = block if isinstance(block, dict) else {}
        title = _field(block, "title")
        description = _field(block, "description")
        url = _field(block, "url")
        btntxt = _field(block, "btntxt") or DEFAULT_BUTTON
        if not title:
            raise _Refusal(41016)
        if not description:
            raise _Refusal(41033)
        if not url:
            raise _Refusal(41010)
        if len(url.encode()) > URL_BYTES:
            raise _Refusal(40039)
        if not url.startswith(("http://", "https://")):
            raise _Refusal(45034)
        too_long = (
            len(title.encode()) > TITLE_BYTES
            or len(description.encode()) > DESCRIPTION_BYTES
            or len(btntxt) > BUTTON_CHARS
        )
        if too_long and self.strict:
            raise _Refusal(45002)
        return (
            _cut_bytes(title, TITLE_BYTES),
            _cut_bytes(description, DESCRIPTION_BYTES),
            url,
            btntxt[:BUTTON_CHARS],
        )

    def _text(self, block: object) -> str:
        content = _field(block, "content") if isinstance(block, dict) else ""
        if not content:
            raise _Refusal(44004)
        if len(content.encode()) > TEXT_BYTES:
            raise _Refusal(45002)
        return content

    def _recipients(self, touser: object) -> tuple[list[str], list[str]]:
        names = [name.strip() for name in str(touser or "").split("|")]
        names = list(dict.fromkeys(name for name in names if name))
        if not names:
            raise _Refusal(82001)
        if "@all" in names:
            names = sorted(self.users)
        if len(names) > MAX_RECIPIENTS:
            raise _Refusal(40032)
        valid = [name for name in names if name in self.users]
        invalid = [name for name in names if name not in self.users]
        if not valid:
            raise _Refusal(81013, invaliduser="|".join(invalid))
        return valid, invalid

    def _count_against_limits(self, members: list[str]) -> None:
        """Refuses the whole call with 45009 if any member is at a limit; else counts it."""
        now = self._now()
        for member in members:
            sent = self._sent_at.setdefault(member, deque())
            while sent and now - sent[0] >= 3600:
                sent.popleft()
            last_minute = sum(1 for at in sent if now - at < 60)
            if last_minute >= self.per_member_per_minute or len(sent) >= self.per_member_per_hour:
                raise _Refusal(45009)
        for member in members:
            self._sent_at[member].append(now)


class _Handler(BaseHTTPRequestHandler):
    api: WecomApi

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/cgi-bin/gettoken":
            self._reply_status(404)
            return
        self._reply(self.api._answer_gettoken(parse_qs(parts.query)))

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if parts.path != "/cgi-bin/message/send":
            self._reply_status(404)
            return
        answer, delay = self.api._answer_send(parse_qs(parts.query), body)
        if delay:
            self.api._stopping.wait(delay)
        self._reply(answer)

    def _reply(self, answer: dict) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up waiting (hang_next); nothing left to tell it

    def _reply_status(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass
