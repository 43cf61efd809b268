"""A loopback stand-in for 腾讯云短信 (sms 2021-01-11, SendSms).

The product talks to https://sms.tencentcloudapi.com through the official SDK; tests point the
SDK at `TencentSms.url` instead, so sends, refusals, rate limits, timeouts and delivery
receipts can be exercised without the internet. Every request must carry a valid TC3-HMAC-SHA256
signature (签名方法 v3), checked here from the documented algorithm. As the service does, it
always answers HTTP 200: a refused request carries Response.Error (the SDK raises it), while
per-number refusals such as rate limits sit in SendStatusSet next to the accepted numbers (the
SDK returns them). Delivery receipts follow 短信下发状态回调.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.standins.sms_aliyun import (
    BEIJING,
    REPORT_TIME_FORMAT,
    Sent,
    mainland_number,
    post_json,
    template_table,
)

__all__ = ["Sent", "TencentSms"]

SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
REGIONS = ("ap-guangzhou", "ap-beijing", "ap-nanjing")
MAX_NUMBERS = 200
MUST_SIGN = ("content-type", "host")

MESSAGES = {
    "Ok": "send success",
    "AuthFailure.InvalidAuthorization": "Authorization header is not in the TC3 format.",
    "AuthFailure.SecretIdNotFound": (
        "The SecretId is not found, please ensure that your SecretId is correct."
    ),
    "AuthFailure.SignatureFailure": (
        "The provided credentials could not be validated. Please check your signature is correct."
    ),
    "InvalidAction": "The action requested was invalid.",
    "NoSuchVersion": "The API version requested does not exist.",
    "UnsupportedRegion": "The region requested is not supported.",
    "InvalidParameter": "The parameter format or type is invalid.",
    "MissingParameter": "A required parameter is missing.",
    "MissingParameter.EmptyPhoneNumberSet": "PhoneNumberSet is empty.",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": "request SmsSdk AppId verify fail",
    "FailedOperation.SignatureIncorrectOrUnapproved": (
        "signature is not approved or does not match the approved signature"
    ),
    "FailedOperation.TemplateIncorrectOrUnapproved": (
        "template is not approved or request content does not match the approved template"
    ),
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": (
        "the template parameters do not match the approved template"
    ),
    "FailedOperation.InsufficientBalanceInSmsPackage": "insufficient balance in SMS package",
    "FailedOperation.PhoneNumberParseFail": "failed to parse the phone number",
    "InvalidParameterValue.TemplateParameterFormatError": (
        "the verification code template parameter must be a number of at most 6 digits"
    ),
    "InvalidParameterValue.IncorrectPhoneNumber": "incorrect number format",
    "LimitExceeded.PhoneNumberCountLimit": "the number of phone numbers exceeds 200",
    "LimitExceeded.PhoneNumberThirtySecondLimit": (
        "the number of SMS messages sent to one number within 30 seconds exceeds the limit"
    ),
    "LimitExceeded.PhoneNumberOneHourLimit": (
        "the number of SMS messages sent to one number within one hour exceeds the limit"
    ),
    "LimitExceeded.PhoneNumberDailyLimit": (
        "the number of SMS messages sent to one number within one day exceeds the limit"
    ),
    "LimitExceeded.PhoneNumberSameContentDailyLimit": (
        "the number of identical SMS messages sent to one number within one day exceeds the limit"
    ),
    "LimitExceeded.AppDailyLimit": "the daily number of SMS messages of the app exceeds the limit",
    "RequestLimitExceeded": "Your current request count exceeds the limit.",
    "InternalError": "An internal error occurred.",
}

_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM} Credential=([^/\s]+)/(\d{{4}}-\d{{2}}-\d{{2}})/([^/\s]+)/tc3_request,\s*"
    r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$"
)
_PHONE_SHAPE = re.compile(r"^\+?\d{5,20}$")


def per_number(code: str) -> bool:
    """Whether the service reports `code` per number inside SendStatusSet (the request itself
    succeeds and the SDK returns it) rather than as Response.Error (which the SDK raises)."""
    if code == "LimitExceeded.PhoneNumberCountLimit":  # too many numbers: the whole request
        return False
    return code.startswith("LimitExceeded.") or code == "InvalidParameterValue.IncorrectPhoneNumber"


class _Refusal(Exception):
    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message or MESSAGES.get(code, code)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class TencentSms:
    """sms SendSms on 127.0.0.1 for one SecretId/SecretKey, one SmsSdkAppId, one sign name.

    `approved_templates` are the template ids that passed review: either plain ids (any
    parameters accepted) or a mapping of id → the names of its {1}, {2}… variables, so a send
    with another number of parameters is refused with
    FailedOperation.TemplateParamSetNotMatchApprovedTemplate. The timestamp is not compared
    with the clock (tests may pin it); its UTC date must still be the credential's date.
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
        app_id: str = "1400123456",
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
        self._failures: deque[tuple[str, str]] = deque()
        self._hangs: deque[float] = deque()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> TencentSms:
        self._stopping = threading.Event()
        handler = type("_BoundHandler", (_Handler,), {"sms": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="tencent-sms-standin",
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

    def __enter__(self) -> TencentSms:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """host:port, the form the SDK's HttpProfile(endpoint=...) takes."""
        return self.url.removeprefix("http://")

    # What tests arrange

    def fail_next(self, code: str, message: str = "") -> None:
        """The next correctly signed SendSms (queued in order) is refused with `code` and
        nothing is recorded. Per-number codes (see `per_number`, e.g. the LimitExceeded ones)
        come back in SendStatusSet for every number; the others as Response.Error."""
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
        """POSTs one 短信下发状态回调 batch for `which` (default: every message not yet
        acknowledged) and returns the receiver's HTTP status and JSON answer. A receipt counts
        as acknowledged only when the answer is {"result": 0, ...}, so unacknowledged ones are
        pushed again next time, as the provider retries. With nothing to report nothing is
        posted and the answer is (0, {})."""
        now = datetime.now(BEIJING).strftime(REPORT_TIME_FORMAT)
        with self._lock:
            chosen = which if which is not None else self._unreported()
        if not chosen:
            return 0, {}
        body = [
            {
                "user_receive_time": now,
                "nationcode": "86",
                "mobile": sent.phone,
                "report_status": "SUCCESS" if delivered else "FAIL",
                "errmsg": "DELIVRD" if delivered else "MK:0001",
                "description": "用户短信送达成功" if delivered else "用户短信接收失败",
                "sid": sent.message_id,
            }
            for sent in chosen
        ]
        # `post`: how the batch travels (a test's own client), over HTTP by default.
        status, answer = (post or post_json)(callback_url, body)
        if status == 200 and answer.get("result") == 0:
            with self._lock:
                self._reported.update((sent.message_id, sent.phone) for sent in chosen)
        return status, answer

    def _unreported(self) -> list[Sent]:
        return [s for s in self._sent if (s.message_id, s.phone) not in self._reported]

    # The service

    def _answer(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[dict, float]:
        """(JSON answer, seconds to hold it back) for one request; always HTTP 200."""
        request_id = str(uuid.uuid4())
        with self._lock:
            self.requests += 1
        delay = 0.0
        try:
            self._authenticate(method, target, headers, body)
            self._route(headers)
            with self._lock:
                delay = self._hangs.popleft() if self._hangs else 0.0
                failure = self._failures.popleft() if self._failures else None
            statuses = self._send(body, failure)
        except _Refusal as refusal:
            error = {"Code": refusal.code, "Message": refusal.message}
            return {"Response": {"Error": error, "RequestId": request_id}}, delay
        return {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}, delay

    def _authenticate(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> None:
        match = _AUTHORIZATION.match(headers.get("authorization", "").strip())
        if match is None:
            raise _Refusal("AuthFailure.InvalidAuthorization")
        secret_id, date, service, signed, signature = match.groups()
        if secret_id != self.access_key_id:
            raise _Refusal("AuthFailure.SecretIdNotFound")
        if service != SERVICE:
            raise _Refusal("AuthFailure.InvalidAuthorization", "The service is not sms.")
        signed_names = signed.split(";")
        if any(name not in signed_names or name not in headers for name in MUST_SIGN):
            raise _Refusal("AuthFailure.InvalidAuthorization", "content-type;host must be signed.")
        timestamp = headers.get("x-tc-timestamp", "").strip()
        if not timestamp.isdigit():
            raise _Refusal("MissingParameter", "The request is missing X-TC-Timestamp.")
        if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
            raise _Refusal(
                "AuthFailure.SignatureFailure", "The credential date is not the timestamp's date."
            )
        parts = urlsplit(target)
        canonical_headers = "".join(
            f"{name}:{headers.get(name, '').strip().lower()}\n" for name in signed_names
        )
        canonical_request = "\n".join(
            (
                method,
                parts.path or "/",
                "",  # the query string, always empty for POST
                canonical_headers,
                signed,
                hashlib.sha256(body).hexdigest(),
            )
        )
        scope = f"{date}/{SERVICE}/tc3_request"
        string_to_sign = "\n".join(
            (ALGORITHM, timestamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest())
        )
        secret_date = _hmac(f"TC3{self.access_key_secret}".encode(), date)
        secret_signing = _hmac(_hmac(secret_date, SERVICE), "tc3_request")
        expected = hmac.new(secret_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise _Refusal("AuthFailure.SignatureFailure")

    def _route(self, headers: Mapping[str, str]) -> None:
        if headers.get("x-tc-action", "").strip() != ACTION:
            raise _Refusal("InvalidAction")
        if headers.get("x-tc-version", "").strip() != VERSION:
            raise _Refusal("NoSuchVersion")
        if headers.get("x-tc-region", "").strip() not in REGIONS:
            raise _Refusal("UnsupportedRegion")

    def _send(self, body: bytes, failure: tuple[str, str] | None) -> list[dict]:
        try:
            request = json.loads(body)
        except ValueError:
            raise _Refusal("InvalidParameter", "The body is not JSON.") from None
        if not isinstance(request, dict):
            raise _Refusal("InvalidParameter", "The body is not a JSON object.")
        for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
            if name not in request:
                raise _Refusal("MissingParameter", f"The request is missing `{name}`.")
        raw_numbers = request["PhoneNumberSet"]
        if not isinstance(raw_numbers, list) or not all(isinstance(n, str) for n in raw_numbers):
            raise _Refusal("InvalidParameter", "The parameter `PhoneNumberSet` type is invalid.")
        context = request.get("SessionContext") or ""
        if failure is not None:
            code, message = failure
            if not per_number(code):
                raise _Refusal(code, message)
            return [_status(raw, context, code, message) for raw in raw_numbers]
        if not raw_numbers:
            raise _Refusal("MissingParameter.EmptyPhoneNumberSet")
        if len(raw_numbers) > MAX_NUMBERS:
            raise _Refusal("LimitExceeded.PhoneNumberCountLimit")
        if not all(_PHONE_SHAPE.match(raw.strip()) for raw in raw_numbers):
            raise _Refusal("FailedOperation.PhoneNumberParseFail")
        if request["SmsSdkAppId"] != self.app_id:
            raise _Refusal("UnauthorizedOperation.SmsSdkAppIdVerifyFail")
        sign_name = request.get("SignName") or ""
        if sign_name != self.sign_name:
            raise _Refusal("FailedOperation.SignatureIncorrectOrUnapproved")
        template = request["TemplateId"]
        if template not in self.templates:
            raise _Refusal("FailedOperation.TemplateIncorrectOrUnapproved")
        params = request.get("TemplateParamSet") or []
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            raise _Refusal("InvalidParameter", "The parameter `TemplateParamSet` type is invalid.")
        needed = self.templates[template]
        if needed is not None and len(params) != len(needed):
            raise _Refusal("FailedOperation.TemplateParamSetNotMatchApprovedTemplate")
        statuses = []
        now = datetime.now(BEIJING)
        with self._lock:
            for raw in raw_numbers:
                number = mainland_number(raw)
                if number is None:
                    code = "InvalidParameterValue.IncorrectPhoneNumber"
                    statuses.append(_status(raw, context, code, ""))
                    continue
                serial = f"{secrets.randbelow(9000) + 1000}:{secrets.randbelow(10**28):028d}"
                self._sent.append(
                    Sent(
                        phone=number,
                        template=template,
                        params=list(params),
                        sign_name=sign_name,
                        reference=context,
                        message_id=serial,
                    )
                )
                self._sent_at[(serial, number)] = now
                statuses.append(_status(f"+86{number}", context, "Ok", "", serial=serial))
        return statuses


def _status(phone: str, context: str, code: str, message: str, *, serial: str = "") -> dict:
    accepted = code == "Ok"
    return {
        "SerialNo": serial,
        "PhoneNumber": phone,
        "Fee": 1 if accepted else 0,
        "SessionContext": context,
        "Code": code,
        "Message": message or MESSAGES.get(code, code),
        "IsoCode": "CN" if mainland_number(phone) else "",
    }


class _Handler(BaseHTTPRequestHandler):
    sms: TencentSms

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer, delay = self.sms._answer(method, self.path, headers, body)
        if delay:
            self.sms._stopping.wait(delay)
        data = json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(200)
            # Exactly this value: the SDK looks for Response.Error only under it.
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the caller gave up waiting (hang_next); nothing left to tell it

    def log_message(self, format: str, *args: object) -> None:
        pass
