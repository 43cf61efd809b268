"""A loopback stand-in for 阿里云短信服务 (dysmsapi 2017-05-25, SendSms).

The product talks to https://dysmsapi.aliyuncs.com through the official SDK; tests point the
SDK at `AliyunSms.url` instead, so sends, refusals, rate limits, timeouts and delivery receipts
can be exercised without the internet. Every request must carry a valid V3 signature
(ACS3-HMAC-SHA256, "V3版本请求体&签名机制"), checked here from the documented algorithm.
Business refusals are answered HTTP 200 with their `Code`, as dysmsapi does; refusals of the
request itself (signature, key, missing parameters) are HTTP 4xx, which the SDK raises.
Delivery receipts follow the SmsReport HTTP batch push.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import urllib.error
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ACTION = "SendSms"
VERSION = "2017-05-25"
ALGORITHM = "ACS3-HMAC-SHA256"
MAX_NUMBERS = 1000
BEIJING = timezone(timedelta(hours=8))  # China keeps no daylight saving time
REPORT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Headers the signature must cover: without them a signed request could be replayed as another
# action, at another time, or with another body.
MUST_SIGN = (
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)

MESSAGES = {
    "OK": "OK",
    "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
    "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
    "isv.MOBILE_NUMBER_ILLEGAL": "手机号码格式错误",
    "isv.MOBILE_COUNT_OVER_LIMIT": "手机号码数量超过限制，最多支持1000条",
    "isv.BUSINESS_LIMIT_CONTROL": "触发号码天级流控Permits:10",
    "isv.AMOUNT_NOT_ENOUGH": "账户余额不足",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量中存在未赋值变量",
    "isv.INVALID_JSON_PARAM": "JSON参数不合法，只接受字符串值",
    "isv.OUT_OF_SERVICE": "业务停机",
    "IncompleteSignature": "The request signature does not conform to Aliyun standards.",
    "InvalidAccessKeyId.NotFound": "Specified access key is not found.",
    "SignatureDoesNotMatch": "Specified signature does not match our calculation.",
    "SignatureNonceUsed": "Specified signature nonce was used already.",
    "InvalidAction.NotFound": "Specified api is not found, please check your url and method.",
    "InvalidVersion": "Specified parameter Version is not valid.",
    "Throttling.User": "Request was denied due to user flow control.",
    "InternalError": "The request processing has failed due to some unknown error.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
}

# Codes answered with an HTTP error status (the SDK raises on them), as are Missing<Parameter>;
# all others are HTTP 200.
HTTP_STATUS = {
    "IncompleteSignature": 400,
    "InvalidAccessKeyId.NotFound": 404,
    "SignatureDoesNotMatch": 400,
    "SignatureNonceUsed": 400,
    "InvalidAction.NotFound": 404,
    "InvalidVersion": 400,
    "Throttling.User": 400,
    "InternalError": 500,
    "ServiceUnavailable": 503,
}

_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM} Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$"
)
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PREFIXES = ("+86", "0086", "86")


@dataclass(frozen=True)
class Sent:
    """One message the provider accepted for one phone number.

    `params` is what the template was filled with: a name → value mapping for Aliyun, the
    positional list for Tencent. `reference` is the caller's own id (Aliyun OutId, Tencent
    SessionContext) and `message_id` the provider's (Aliyun BizId, Tencent SerialNo), which
    the delivery receipts quote back.
    """

    phone: str
    template: str
    params: dict[str, str] | list[str]
    sign_name: str
    reference: str
    message_id: str


class _Refusal(Exception):
    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message or MESSAGES.get(code, code)


def mainland_number(raw: str) -> str | None:
    """The 11-digit mainland mobile number in one of the accepted spellings, else None."""
    number = raw.strip()
    for prefix in _PREFIXES:
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
            break
    return number if _MAINLAND_MOBILE.match(number) else None


def _encode(text: str) -> str:
    # RFC 3986 as the V3 document asks: space is %20, '~' stays, everything else escaped.
    return quote(text, safe="~")


def template_table(
    approved: Iterable[str] | Mapping[str, Sequence[str]],
) -> dict[str, tuple[str, ...] | None]:
    """Template id → its variable names, or None where any parameters are accepted."""
    if isinstance(approved, Mapping):
        return {code: tuple(names) for code, names in approved.items()}
    return dict.fromkeys(approved)


class AliyunSms:
    """dysmsapi SendSms on 127.0.0.1 for one AccessKey, one approved sign name.

    `approved_templates` are the template codes that passed review: either plain codes (any
    parameters accepted) or a mapping of code → the variable names the template uses, so a
    send missing one is refused with isv.TEMPLATE_MISSING_PARAMETERS. `app_id` is ignored:
    dysmsapi has no application id, and it is taken so both SMS stand-ins accept the same
    arguments.
    """

    def __init__(
        self,
        *,
        access_key_id: str = "test-key-id",
        access_key_secret: str = "test-key-secret",  # noqa: S107 - made up for tests
        sign_name: str = "加急服务台",
        approved_templates: Iterable[str] | Mapping[str, Sequence[str]] = (
            "SMS_CODE",
            "SMS_NOTICE",
        ),
        app_id: str = "",
    ) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.templates = template_table(approved_templates)
        self.app_id = app_id
        self.url = ""
        self.requests = 0
        self._lock = threading.Lock()
        self._sent: list[Sent] = []
        self._sent_at: dict[tuple[str, str], datetime] = {}
        self._reported: set[tuple[str, str]] = set()
        self._nonces: set[str] = set()
        self._failures: deque[tuple[str, str]] = deque()
        self._hangs: deque[float] = deque()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> AliyunSms:
        self._stopping = threading.Event()
        handler = type("_BoundHandler", (_Handler,), {"sms": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="aliyun-sms-standin",
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

    def __enter__(self) -> AliyunSms:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """host:port, the form the SDK's Config(endpoint=...) takes."""
        return self.url.removeprefix("http://")

    # What tests arrange

    def fail_next(self, code: str, message: str = "") -> None:
        """The next correctly signed SendSms (queued in order) is refused with `code` and
        nothing is recorded. Business codes (isv.*) come back HTTP 200 as dysmsapi sends them;
        the codes in HTTP_STATUS with their HTTP error status."""
        with self._lock:
            self._failures.append((code, message))

    def hang_next(self, seconds: float) -> None:
        """The next correctly signed SendSms is handled as usual (recorded if accepted) but
        answered only after `seconds`: the caller times out on a message that went out."""
        with self._lock:
            self._hangs.append(seconds)

    # What tests read

    @property
    def sent(self) -> list[Sent]:
        with self._lock:
            return list(self._sent)

    def push_receipts(
        self,
        callback_url: str,
        *,
        delivered: bool = True,
        which: list[Sent] | None = None,
        post: Callable[[str, object], tuple[int, dict]] | None = None,
    ) -> tuple[int, dict]:
        """POSTs one SmsReport batch for `which` (default: every message not yet acknowledged)
        and returns the receiver's HTTP status and JSON answer. A receipt counts as
        acknowledged only when the answer is {"code": 0, ...}, so unacknowledged ones are
        pushed again next time, as the provider retries. With nothing to report nothing is
        posted and the answer is (0, {})."""
        now = datetime.now(BEIJING)
        with self._lock:
            chosen = which if which is not None else self._unreported()
            body = [self._report(sent, now, delivered=delivered) for sent in chosen]
        if not chosen:
            return 0, {}
        # `post`: how the batch travels (a test's own client), over HTTP by default.
        status, answer = (post or post_json)(callback_url, body)
        if status == 200 and answer.get("code") == 0:
            with self._lock:
                self._reported.update((sent.message_id, sent.phone) for sent in chosen)
        return status, answer

    def _unreported(self) -> list[Sent]:
        return [s for s in self._sent if (s.message_id, s.phone) not in self._reported]

    def _report(self, sent: Sent, now: datetime, *, delivered: bool) -> dict:
        sent_at = self._sent_at.get((sent.message_id, sent.phone), now)
        return {
            "phone_number": sent.phone,
            "send_time": sent_at.strftime(REPORT_TIME_FORMAT),
            "report_time": now.strftime(REPORT_TIME_FORMAT),
            "success": delivered,
            "err_code": "DELIVERED" if delivered else "MK:0001",
            "err_msg": "用户接收成功" if delivered else "用户接收失败",
            "sms_size": "1",
            "biz_id": sent.message_id,
            "out_id": sent.reference,
        }

    # The service

    def _answer(
        self, method: str, target: str, headers: Mapping[str, list[str]], body: bytes
    ) -> tuple[int, dict, float]:
        """(HTTP status, JSON answer, seconds to hold the answer back) for one request."""
        request_id = str(uuid.uuid4()).upper()
        with self._lock:
            self.requests += 1
        delay = 0.0
        try:
            parts = urlsplit(target)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            self._authenticate(method, parts.path, query, headers, body)
            self._route(headers)
            with self._lock:
                delay = self._hangs.popleft() if self._hangs else 0.0
                failure = self._failures.popleft() if self._failures else None
            if failure is not None:
                raise _Refusal(*failure)
            biz_id = self._accept(query)
        except _Refusal as refusal:
            answer = {"Code": refusal.code, "Message": refusal.message, "RequestId": request_id}
            status = _http_status(refusal.code)
            if status != 200:
                answer["HostId"] = "dysmsapi.aliyuncs.com"
            return status, answer, delay
        answer = {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}
        return 200, answer, delay

    def _authenticate(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: Mapping[str, list[str]],
        body: bytes,
    ) -> None:
        match = _AUTHORIZATION.match(_one(headers, "authorization"))
        if match is None:
            raise _Refusal("IncompleteSignature")
        key_id, signed, signature = match.groups()
        if key_id != self.access_key_id:
            raise _Refusal("InvalidAccessKeyId.NotFound")
        signed_names = signed.split(";")
        if any(name not in signed_names or name not in headers for name in MUST_SIGN):
            raise _Refusal("IncompleteSignature")
        payload_hash = hashlib.sha256(body).hexdigest()
        if _one(headers, "x-acs-content-sha256") != payload_hash:
            raise _Refusal("SignatureDoesNotMatch", "x-acs-content-sha256 does not match the body.")
        canonical_query = "&".join(
            f"{key}={value}"
            for key, value in sorted((_encode(k), _encode(v)) for k, v in query.items())
        )
        canonical_headers = "".join(
            f"{name}:{','.join(sorted(v.strip() for v in headers.get(name, [])))}\n"
            for name in signed_names
        )
        canonical_request = "\n".join(
            (
                method,
                quote(unquote(path or "/"), safe="/~"),
                canonical_query,
                canonical_headers,
                signed,
                payload_hash,
            )
        )
        string_to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        expected = hmac.new(
            self.access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise _Refusal("SignatureDoesNotMatch")
        nonce = _one(headers, "x-acs-signature-nonce")
        with self._lock:
            if nonce in self._nonces:
                raise _Refusal("SignatureNonceUsed")
            self._nonces.add(nonce)

    def _route(self, headers: Mapping[str, list[str]]) -> None:
        if _one(headers, "x-acs-action") != ACTION:
            raise _Refusal("InvalidAction.NotFound")
        if _one(headers, "x-acs-version") != VERSION:
            raise _Refusal("InvalidVersion")

    def _accept(self, query: dict[str, str]) -> str:
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not query.get(name):
                raise _Refusal(f"Missing{name}", f"{name} is mandatory for this action.")
        raw_numbers = query["PhoneNumbers"].split(",")
        if len(raw_numbers) > MAX_NUMBERS:
            raise _Refusal("isv.MOBILE_COUNT_OVER_LIMIT")
        numbers = [number for raw in raw_numbers if (number := mainland_number(raw))]
        if len(numbers) != len(raw_numbers):
            raise _Refusal("isv.MOBILE_NUMBER_ILLEGAL")
        if query["SignName"] != self.sign_name:
            raise _Refusal("isv.SMS_SIGNATURE_ILLEGAL")
        template = query["TemplateCode"]
        if template not in self.templates:
            raise _Refusal("isv.SMS_TEMPLATE_ILLEGAL")
        params = _template_params(query.get("TemplateParam", ""))
        needed = self.templates[template] or ()
        if any(name not in params for name in needed):
            raise _Refusal("isv.TEMPLATE_MISSING_PARAMETERS")
        biz_id = f"{secrets.randbelow(10**18):018d}^0"
        now = datetime.now(BEIJING)
        with self._lock:
            for number in numbers:
                self._sent.append(
                    Sent(
                        phone=number,
                        template=template,
                        params=dict(params),
                        sign_name=query["SignName"],
                        reference=query.get("OutId", ""),
                        message_id=biz_id,
                    )
                )
                self._sent_at[(biz_id, number)] = now
        return biz_id


def _http_status(code: str) -> int:
    if code.startswith("Missing"):
        return 400
    return HTTP_STATUS.get(code, 200)


def _template_params(raw: str) -> dict[str, str]:
    if not raw:
        return {}
    try:
        params = json.loads(raw)
    except ValueError:
        raise _Refusal("isv.INVALID_JSON_PARAM") from None
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise _Refusal("isv.INVALID_JSON_PARAM")
    return params


def _one(headers: Mapping[str, list[str]], name: str) -> str:
    values = headers.get(name) or [""]
    return values[0].strip()


def post_json(url: str, body: object) -> tuple[int, dict]:
    """POST as the provider's pusher would, never through a proxy, and read the JSON answer."""
    request = urllib.request.Request(  # noqa: S310 - tests give loopback receivers
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as answer:
            status, text = answer.status, answer.read()
    except urllib.error.HTTPError as refusal:
        status, text = refusal.code, refusal.read()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = {}
    return status, parsed if isinstance(parsed, dict) else {"answer": parsed}


class _Handler(BaseHTTPRequestHandler):
    sms: AliyunSms

    def do_POST(self) -> None:
        self._handle("POST")

    def do_GET(self) -> None:
        self._handle("GET")

    def _handle(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        status, answer, delay = self.sms._answer(method, self.path, headers, body)
        if delay:
            self.sms._stopping.wait(delay)
        data = json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the caller gave up waiting (hang_next); nothing left to tell it

    def log_message(self, format: str, *args: object) -> None:
        pass
