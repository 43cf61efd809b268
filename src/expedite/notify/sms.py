"""Text messages through the firm's provider: 阿里云短信 or 腾讯云短信, or the log.

Both providers are reached through their official SDKs, which sign each request the way the
provider checks it (ACS3-HMAC-SHA256, TC3-HMAC-SHA256) and are kept current with the API; the
endpoint is a setting, so tests and a firm's proxy can stand in for the public one.

A send either returns the provider's message id or raises: `ChannelError` for what a later try
may fix (rate limited, balance used up, provider or network down before the request went out),
`ChannelRefused` for what no retry will fix (template not approved, unknown number),
`ChannelUncertain` when the request went out and no answer came (it may have been sent).
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings

from expedite.domain.portal import mask_phone
from expedite.domain.sms import TEMPLATES, SmsKind

from .errors import ChannelError, ChannelRefused, ChannelUncertain

log = logging.getLogger("expedite.sms")


@dataclass(frozen=True)
class Outgoing:
    phone: str  # 11-digit mainland mobile number
    kind: SmsKind
    variables: dict[str, str]
    reference: str  # our id for the message, echoed in the provider's records


class Provider(Protocol):
    def send(self, message: Outgoing) -> str: ...


def template_id(kind: SmsKind) -> str:
    code = settings.EXPEDITE_SMS_TEMPLATES.get(kind.value, "")
    if not code:
        raise ChannelRefused(f"EXPEDITE_SMS_TEMPLATE_{kind.value.upper()} is not set")
    return code


def text_of(message: Outgoing) -> str:
    return TEMPLATES[message.kind].render(message.variables, site=settings.EXPEDITE_PUBLIC_URL)


class LogProvider:
    """Writes each message to the log (the code masked) and keeps the last ones in memory: for
    the demo and development, where no provider is contracted."""

    sent: list[Outgoing] = []
    _ids = itertools.count(1)

    def send(self, message: Outgoing) -> str:
        shown = dict(message.variables)
        if "code" in shown:
            shown["code"] = "******"  # a password for ten minutes: the log keeps only the fact
        log.info("SMS %s to %s: %s", message.kind.value, mask_phone(message.phone), shown)
        LogProvider.sent = [*LogProvider.sent[-49:], message]
        return f"log-{next(self._ids)}"


def _endpoint(default_host: str) -> tuple[str, str]:
    """(host[:port], scheme) of EXPEDITE_SMS_ENDPOINT, else the provider's public address."""
    configured = settings.EXPEDITE_SMS_ENDPOINT
    if not configured:
        return default_host, "https"
    parts = urlsplit(configured if "://" in configured else f"https://{configured}")
    return parts.netloc, parts.scheme or "https"


def _went_out(exc: BaseException) -> bool:
    """Whether a network failure happened after the request may have reached the provider:
    only a refused or unresolved connection (or a connect timeout) surely sent nothing."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError | socket.gaierror):
            return False
        name = type(current).__name__
        if name in {"ConnectTimeout", "NewConnectionError", "NameResolutionError"}:
            return False
        pending += [current.__cause__, current.__context__]
        pending.append(getattr(current, "inner_exception", None))  # the Alibaba Cloud SDK's
        pending += [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
    text = str(exc)
    return not any(
        marker in text for marker in ("Connection refused", "NewConnectionError", "ConnectTimeout")
    )


def _short(text) -> str:
    """A provider's message as kept on the outbox page: its first 120 characters, without the
    request (an SDK's error may quote the address with the number and the message in it)."""
    text = str(text or "")
    return text.split("http", 1)[0].strip()[:120]


def _network_failure(exc: BaseException) -> ChannelError:
    # Only what happened, never the error's text: it quotes the request with the number and
    # the message's variables (a working short link among them).
    kind = "read timed out" if "timed out" in str(exc).lower() else type(exc).__name__
    if _went_out(exc):
        return ChannelUncertain(f"no answer from the provider ({kind})")
    return ChannelError(f"provider not reached ({kind})")


# Codes a later try can succeed with; any other refusal needs a person (wrong template,
# signature, number, key). Checked against each provider's documented error codes.
ALIYUN_RETRY = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.OUT_OF_SERVICE",
    "isp.SYSTEM_ERROR",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "ServiceUnavailable",
    "InternalError",
}


class AliyunProvider:
    def send(self, message: Outgoing) -> str:
        # Imported here: the SDK is only loaded by a firm that chose this provider.
        from alibabacloud_dysmsapi20170525 import models as sms_models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as api_models
        from alibabacloud_tea_util import models as util_models

        host, scheme = _endpoint("dysmsapi.aliyuncs.com")
        client = Client(
            api_models.Config(
                access_key_id=settings.EXPEDITE_SMS_KEY_ID,
                access_key_secret=settings.EXPEDITE_SMS_KEY_SECRET,
                endpoint=host,
                protocol=scheme,
            )
        )
        request = sms_models.SendSmsRequest(
            phone_numbers=message.phone,
            sign_name=settings.EXPEDITE_SMS_SIGN_NAME,
            template_code=template_id(message.kind),
            template_param=json.dumps(message.variables, ensure_ascii=False),
            out_id=message.reference[:200],
        )
        timeout_ms = settings.EXPEDITE_SMS_TIMEOUT_SECONDS * 1000
        runtime = util_models.RuntimeOptions(
            read_timeout=timeout_ms, connect_timeout=timeout_ms, autoretry=False, max_attempts=1
        )
        try:
            answer = client.send_sms_with_options(request, runtime).body
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code:  # the provider answered with an error status
                problem = f"{code}: {_short(getattr(exc, 'message', ''))}"
                if code in ALIYUN_RETRY:
                    raise ChannelError(problem) from exc
                raise ChannelRefused(problem) from exc
            raise _network_failure(exc) from exc
        if answer.code == "OK" and answer.biz_id:
            return answer.biz_id
        problem = f"{answer.code}: {_short(answer.message)}"
        if answer.code in ALIYUN_RETRY:
            raise ChannelError(problem)
        raise ChannelRefused(problem)


TENCENT_RETRY_PREFIXES = ("LimitExceeded.", "InternalError", "RequestLimitExceeded")
TENCENT_RETRY = {"FailedOperation.InsufficientBalanceInSmsPackage"}
# The provider's own send to the carrier timed out: the message may be out.
TENCENT_UNCERTAIN = {"InternalError.Timeout", "InternalError.SendAndRecvFail"}


def _tencent_retry(code: str) -> bool:
    return code.startswith(TENCENT_RETRY_PREFIXES) or code in TENCENT_RETRY


def _tencent_failure(problem: str, code: str) -> ChannelError:
    if code in TENCENT_UNCERTAIN:
        return ChannelUncertain(problem)
    return ChannelError(problem) if _tencent_retry(code) else ChannelRefused(problem)


class TencentProvider:
    def send(self, message: Outgoing) -> str:
        # Imported here: the SDK is only loaded by a firm that chose this provider.
        from tencentcloud.common import credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client

        host, scheme = _endpoint("sms.tencentcloudapi.com")
        profile = HttpProfile(
            endpoint=host, protocol=scheme, reqTimeout=settings.EXPEDITE_SMS_TIMEOUT_SECONDS
        )
        client = sms_client.SmsClient(
            credential.Credential(settings.EXPEDITE_SMS_KEY_ID, settings.EXPEDITE_SMS_KEY_SECRET),
            settings.EXPEDITE_SMS_REGION,
            ClientProfile(httpProfile=profile),
        )
        variables = [message.variables[v.name] for v in TEMPLATES[message.kind].variables]
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.phone}"]
        request.SmsSdkAppId = settings.EXPEDITE_SMS_APP_ID
        request.SignName = settings.EXPEDITE_SMS_SIGN_NAME
        request.TemplateId = template_id(message.kind)
        request.TemplateParamSet = variables
        request.SessionContext = message.reference[:512]
        try:
            answer = client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            if code == "ClientNetworkError" or not code:
                raise _network_failure(exc) from exc
            raise _tencent_failure(f"{code}: {_short(exc.get_message())}", code) from exc
        except Exception as exc:
            raise _network_failure(exc) from exc
        status = (answer.SendStatusSet or [None])[0]
        if status is None:
            raise ChannelUncertain("the provider answered without a status for the number")
        if status.Code == "Ok" and status.SerialNo:
            return status.SerialNo
        raise _tencent_failure(f"{status.Code}: {_short(status.Message)}", status.Code or "")


PROVIDERS: dict[str, type] = {
    "log": LogProvider,
    "aliyun": AliyunProvider,
    "tencent": TencentProvider,
}


def provider() -> Provider:
    name = settings.EXPEDITE_SMS_PROVIDER
    if name not in PROVIDERS:
        raise ChannelRefused(f"EXPEDITE_SMS_PROVIDER {name!r} is not one of {sorted(PROVIDERS)}")
    return PROVIDERS[name]()
