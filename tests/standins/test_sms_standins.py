"""The SMS stand-ins answer the providers' official SDKs as the documented services do.

The SDKs (alibabacloud_dysmsapi20170525 over tea-openapi, tencentcloud-sdk-python-sms) sign
and send real HTTP to 127.0.0.1, so these tests also pin down how each SDK reports refusals and
timeouts, which the product's SMS channel has to tell apart:

- Aliyun returns business refusals (isv.*) as a normal response: `body.code != "OK"`. Request
  refusals (signature, key, missing parameter) come back HTTP 4xx and are raised as
  `alibabacloud_tea_openapi.exceptions.ClientException` (5xx: `ServerException`) with `.code`
  and `.status_code`. Network failures are raised as `darabonba.exceptions.UnretryableException`
  whose `inner_exception` is a `RetryError`; only its text tells a read timeout ("Read timed
  out", the message may have gone out) from a refused connection (nothing was sent).
- Tencent raises every request-level refusal as `TencentCloudSDKException` with `.code`;
  per-number refusals (rate limits, bad numbers) are returned in `SendStatusSet` and must be
  read per number (`Code == "Ok"`). Network failures are raised as the same exception with
  code "ClientNetworkError"; again only the message tells a read timeout from a refusal.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from alibabacloud_dysmsapi20170525 import models as aliyun_models
from alibabacloud_dysmsapi20170525.client import Client as AliyunClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException
from alibabacloud_tea_openapi.utils import Utils as AliyunUtils
from darabonba.exceptions import UnretryableException
from darabonba.request import DaraRequest
from darabonba.runtime import RuntimeOptions
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as tencent_models
from tencentcloud.sms.v20210111 import sms_client

from tests.standins.sms_aliyun import AliyunSms, Sent
from tests.standins.sms_tencent import TencentSms

PHONE = "13800138000"
SIGN = "加急服务台"


@pytest.fixture
def aliyun() -> Iterator[AliyunSms]:
    with AliyunSms() as running:
        yield running


@pytest.fixture
def tencent() -> Iterator[TencentSms]:
    with TencentSms() as running:
        yield running


# The product's side, through the official SDKs


def aliyun_send(
    sms: AliyunSms,
    *,
    phones: str = PHONE,
    template: str = "SMS_CODE",
    params: object = None,
    sign_name: str = SIGN,
    out_id: str = "case-42",
    key_id: str | None = None,
    secret: str | None = None,
    read_timeout_ms: int = 2000,
) -> aliyun_models.SendSmsResponseBody:
    config = open_api_models.Config(
        access_key_id=key_id or sms.access_key_id,
        access_key_secret=secret or sms.access_key_secret,
        endpoint=sms.endpoint,
        protocol="http",
    )
    request = aliyun_models.SendSmsRequest(
        phone_numbers=phones,
        sign_name=sign_name,
        template_code=template,
        template_param=json.dumps(params or {"code": "482916"}, ensure_ascii=False),
        out_id=out_id,
    )
    runtime = RuntimeOptions(read_timeout=read_timeout_ms, connect_timeout=500)
    response = AliyunClient(config).send_sms_with_options(request, runtime)
    assert response.status_code == 200
    return response.body


def tencent_send(
    sms: TencentSms,
    *,
    phones: tuple[str, ...] = (f"+86{PHONE}",),
    template: str = "SMS_CODE",
    params: list | None = None,
    sign_name: str = SIGN,
    context: str = "case-42",
    app_id: str | None = None,
    key_id: str | None = None,
    secret: str | None = None,
    timeout_seconds: float = 2,
) -> tencent_models.SendSmsResponse:
    profile = HttpProfile(endpoint=sms.endpoint, protocol="http", reqTimeout=timeout_seconds)
    client = sms_client.SmsClient(
        credential.Credential(key_id or sms.access_key_id, secret or sms.access_key_secret),
        "ap-guangzhou",
        ClientProfile(httpProfile=profile),
    )
    request = tencent_models.SendSmsRequest()
    request.PhoneNumberSet = list(phones)
    request.SmsSdkAppId = app_id or sms.app_id
    request.TemplateId = template
    request.SignName = sign_name
    request.TemplateParamSet = ["482916"] if params is None else params
    request.SessionContext = context
    return client.SendSms(request)


# Aliyun


def test_aliyun_records_a_correctly_signed_send(aliyun: AliyunSms) -> None:
    body = aliyun_send(aliyun, params={"code": "48 29~16&"}, out_id="case 42/7")

    assert (body.code, body.message) == ("OK", "OK")
    assert body.biz_id.endswith("^0") and body.biz_id[:-2].isdigit()
    assert aliyun.sent == [
        Sent(
            phone=PHONE,
            template="SMS_CODE",
            params={"code": "48 29~16&"},
            sign_name=SIGN,
            reference="case 42/7",
            message_id=body.biz_id,
        )
    ]
    assert aliyun.requests == 1


def test_aliyun_records_each_number_of_a_batch_under_one_biz_id(aliyun: AliyunSms) -> None:
    body = aliyun_send(aliyun, phones=f"+86{PHONE},13900139000")

    assert [(s.phone, s.message_id) for s in aliyun.sent] == [
        (PHONE, body.biz_id),
        ("13900139000", body.biz_id),
    ]


@pytest.mark.parametrize(
    ("credentials", "status", "code"),
    [
        ({"secret": "wrong-secret"}, 400, "SignatureDoesNotMatch"),
        ({"key_id": "someone-else"}, 404, "InvalidAccessKeyId.NotFound"),
    ],
)
def test_aliyun_raises_on_bad_credentials_and_records_nothing(
    aliyun: AliyunSms, credentials: dict, status: int, code: str
) -> None:
    with pytest.raises(ClientException) as refused:
        aliyun_send(aliyun, **credentials)

    assert (refused.value.status_code, refused.value.code) == (status, code)
    assert aliyun.sent == []
    assert aliyun.requests == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"template": "SMS_UNREVIEWED"}, "isv.SMS_TEMPLATE_ILLEGAL"),
        ({"sign_name": "别的签名"}, "isv.SMS_SIGNATURE_ILLEGAL"),
        ({"phones": "12345"}, "isv.MOBILE_NUMBER_ILLEGAL"),
        ({"phones": f"{PHONE},+85291234567"}, "isv.MOBILE_NUMBER_ILLEGAL"),
        ({"params": {"code": 482916}}, "isv.INVALID_JSON_PARAM"),
    ],
)
def test_aliyun_returns_business_refusals_in_the_body(
    aliyun: AliyunSms, change: dict, code: str
) -> None:
    body = aliyun_send(aliyun, **change)

    assert body.code == code
    assert body.biz_id is None
    assert aliyun.sent == []


def test_aliyun_refuses_a_send_missing_a_template_variable() -> None:
    with AliyunSms(approved_templates={"SMS_NOTICE": ("case", "date")}) as sms:
        body = aliyun_send(sms, template="SMS_NOTICE", params={"case": "42"})
        assert body.code == "isv.TEMPLATE_MISSING_PARAMETERS"
        assert aliyun_send(sms, template="SMS_NOTICE", params={"case": "42", "date": "11月26日"})


def test_aliyun_fail_next_returns_the_queued_codes_in_order(aliyun: AliyunSms) -> None:
    aliyun.fail_next("isv.BUSINESS_LIMIT_CONTROL")
    aliyun.fail_next("isv.AMOUNT_NOT_ENOUGH", "账户余额不足")

    limited = aliyun_send(aliyun)
    broke = aliyun_send(aliyun)
    fine = aliyun_send(aliyun)

    assert limited.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert (broke.code, broke.message) == ("isv.AMOUNT_NOT_ENOUGH", "账户余额不足")
    assert fine.code == "OK"
    assert [s.message_id for s in aliyun.sent] == [fine.biz_id]


def test_aliyun_fail_next_with_a_server_error_raises(aliyun: AliyunSms) -> None:
    aliyun.fail_next("ServiceUnavailable")

    with pytest.raises(ServerException) as refused:
        aliyun_send(aliyun)

    assert (refused.value.status_code, refused.value.code) == (503, "ServiceUnavailable")


def test_aliyun_timeout_after_acceptance_raises_and_the_message_is_recorded(
    aliyun: AliyunSms,
) -> None:
    aliyun.hang_next(1.5)

    with pytest.raises(UnretryableException) as timed_out:
        aliyun_send(aliyun, read_timeout_ms=300)

    assert "Read timed out" in str(timed_out.value.inner_exception)
    assert [s.phone for s in aliyun.sent] == [PHONE]


def test_aliyun_refused_connection_reads_differently_from_a_timeout() -> None:
    sms = AliyunSms().start()
    sms.stop()

    with pytest.raises(UnretryableException) as refused:
        aliyun_send(sms)

    assert "Read timed out" not in str(refused.value.inner_exception)
    assert "Connection refused" in str(refused.value.inner_exception)


def signed_aliyun_request(
    sms: AliyunSms, query: dict[str, str], nonce: str
) -> urllib.request.Request:
    """A request signed as the SDK signs it, for tampering with afterwards."""
    request = DaraRequest()
    request.method = "POST"
    request.pathname = "/"
    request.query = query
    request.headers = {
        "host": sms.endpoint,
        "x-acs-action": "SendSms",
        "x-acs-version": "2017-05-25",
        "x-acs-date": "2026-11-26T02:00:00Z",
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
    }
    request.headers["Authorization"] = AliyunUtils.get_authorization(
        request,
        "ACS3-HMAC-SHA256",
        request.headers["x-acs-content-sha256"],
        sms.access_key_id,
        sms.access_key_secret,
    )
    url = f"{sms.url}/?{urllib.parse.urlencode(query)}"
    return urllib.request.Request(url, data=b"", headers=request.headers, method="POST")  # noqa: S310


def raw_answer(request: urllib.request.Request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310 - loopback only
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refusal:
        return refusal.code, json.loads(refusal.read())


def test_aliyun_checks_the_signature_over_query_and_body(aliyun: AliyunSms) -> None:
    query = {"PhoneNumbers": PHONE, "SignName": SIGN, "TemplateCode": "SMS_CODE"}

    status, answer = raw_answer(signed_aliyun_request(aliyun, query, "n1"))
    assert (status, answer["Code"]) == (200, "OK")
    status, answer = raw_answer(signed_aliyun_request(aliyun, query, "n1"))
    assert (status, answer["Code"]) == (400, "SignatureNonceUsed")

    other_number = signed_aliyun_request(aliyun, query, "n2")
    other_number.full_url = other_number.full_url.replace(PHONE, "13900139000")
    status, answer = raw_answer(other_number)
    assert (status, answer["Code"]) == (400, "SignatureDoesNotMatch")

    with_body = signed_aliyun_request(aliyun, query, "n3")
    with_body.data = b"PhoneNumbers=13900139000"
    status, answer = raw_answer(with_body)
    assert (status, answer["Code"]) == (400, "SignatureDoesNotMatch")

    assert [s.phone for s in aliyun.sent] == [PHONE]
    assert aliyun.requests == 4


# Tencent


def test_tencent_records_a_correctly_signed_send(tencent: TencentSms) -> None:
    response = tencent_send(tencent, params=["48 29~16&"], context="case 42/7")

    [status] = response.SendStatusSet
    assert (status.Code, status.PhoneNumber, status.Fee) == ("Ok", f"+86{PHONE}", 1)
    assert (status.SessionContext, status.IsoCode) == ("case 42/7", "CN")
    assert tencent.sent == [
        Sent(
            phone=PHONE,
            template="SMS_CODE",
            params=["48 29~16&"],
            sign_name=SIGN,
            reference="case 42/7",
            message_id=status.SerialNo,
        )
    ]
    assert tencent.requests == 1


def test_tencent_reports_each_number_of_a_batch(tencent: TencentSms) -> None:
    response = tencent_send(tencent, phones=(PHONE, "+8612345678901"))

    ok, bad = response.SendStatusSet
    assert (ok.Code, ok.PhoneNumber) == ("Ok", f"+86{PHONE}")
    assert (bad.Code, bad.SerialNo, bad.Fee) == (
        "InvalidParameterValue.IncorrectPhoneNumber",
        "",
        0,
    )
    assert [(s.phone, s.message_id) for s in tencent.sent] == [(PHONE, ok.SerialNo)]


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        ({"secret": "wrong-secret"}, "AuthFailure.SignatureFailure"),
        ({"key_id": "someone-else"}, "AuthFailure.SecretIdNotFound"),
    ],
)
def test_tencent_raises_on_bad_credentials_and_records_nothing(
    tencent: TencentSms, credentials: dict, code: str
) -> None:
    with pytest.raises(TencentCloudSDKException) as refused:
        tencent_send(tencent, **credentials)

    assert refused.value.code == code
    assert refused.value.requestId
    assert tencent.sent == []
    assert tencent.requests == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"template": "SMS_UNREVIEWED"}, "FailedOperation.TemplateIncorrectOrUnapproved"),
        ({"sign_name": "别的签名"}, "FailedOperation.SignatureIncorrectOrUnapproved"),
        ({"app_id": "1400999999"}, "UnauthorizedOperation.SmsSdkAppIdVerifyFail"),
        ({"phones": ("138-0013-8000",)}, "FailedOperation.PhoneNumberParseFail"),
        ({"params": [482916]}, "InvalidParameter"),
    ],
)
def test_tencent_raises_request_refusals(tencent: TencentSms, change: dict, code: str) -> None:
    with pytest.raises(TencentCloudSDKException) as refused:
        tencent_send(tencent, **change)

    assert refused.value.code == code
    assert tencent.sent == []


def test_tencent_refuses_a_send_with_the_wrong_number_of_variables() -> None:
    with TencentSms(approved_templates={"SMS_NOTICE": ("case", "date")}) as sms:
        with pytest.raises(TencentCloudSDKException) as refused:
            tencent_send(sms, template="SMS_NOTICE", params=["42"])
        assert refused.value.code == "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
        assert tencent_send(sms, template="SMS_NOTICE", params=["42", "11月26日"])


def test_tencent_fail_next_rate_limit_is_returned_per_number(tencent: TencentSms) -> None:
    tencent.fail_next("LimitExceeded.PhoneNumberThirtySecondLimit")

    [status] = tencent_send(tencent).SendStatusSet

    assert (status.Code, status.Fee, status.SerialNo) == (
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        0,
        "",
    )
    assert tencent.sent == []
    assert tencent_send(tencent).SendStatusSet[0].Code == "Ok"


def test_tencent_fail_next_insufficient_balance_raises(tencent: TencentSms) -> None:
    tencent.fail_next("FailedOperation.InsufficientBalanceInSmsPackage")

    with pytest.raises(TencentCloudSDKException) as refused:
        tencent_send(tencent)

    assert refused.value.code == "FailedOperation.InsufficientBalanceInSmsPackage"
    assert tencent.sent == []


def test_tencent_timeout_after_acceptance_raises_and_the_message_is_recorded(
    tencent: TencentSms,
) -> None:
    tencent.hang_next(1.5)

    with pytest.raises(TencentCloudSDKException) as timed_out:
        tencent_send(tencent, timeout_seconds=0.3)

    assert timed_out.value.code == "ClientNetworkError"
    assert "Read timed out" in timed_out.value.message
    assert [s.phone for s in tencent.sent] == [PHONE]


def test_tencent_refused_connection_reads_differently_from_a_timeout() -> None:
    sms = TencentSms().start()
    sms.stop()

    with pytest.raises(TencentCloudSDKException) as refused:
        tencent_send(sms)

    assert refused.value.code == "ClientNetworkError"
    assert "Read timed out" not in refused.value.message
    assert "Connection refused" in refused.value.message


def signed_tencent_request(sms: TencentSms, params: dict) -> urllib.request.Request:
    """A request signed by the SDK's own TC3 signer, for tampering with afterwards."""
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=sms.endpoint, protocol="http"))
    client = sms_client.SmsClient(
        credential.Credential(sms.access_key_id, sms.access_key_secret), "ap-guangzhou", profile
    )
    inner = RequestInternal(sms.endpoint, "POST", "/")
    client._build_req_with_tc3_signature("SendSms", params, inner)
    return urllib.request.Request(  # noqa: S310 - loopback only
        f"{sms.url}/", data=inner.data.encode(), headers=inner.header, method="POST"
    )


def test_tencent_checks_the_signature_over_the_body(tencent: TencentSms) -> None:
    params = {
        "PhoneNumberSet": [PHONE],
        "SmsSdkAppId": tencent.app_id,
        "TemplateId": "SMS_CODE",
        "SignName": SIGN,
    }
    assert "Error" not in raw_answer(signed_tencent_request(tencent, params))[1]["Response"]

    tampered = signed_tencent_request(tencent, params)
    tampered.data = tampered.data.replace(PHONE.encode(), b"13900139000")
    status, answer = raw_answer(tampered)

    assert (status, answer["Response"]["Error"]["Code"]) == (200, "AuthFailure.SignatureFailure")
    assert [s.phone for s in tencent.sent] == [PHONE]


# Delivery receipts


class Receiver:
    """The product's receipt endpoint in miniature: records each POSTed JSON, answers `reply`."""

    def __init__(self, reply: dict) -> None:
        self.reply = reply
        self.bodies: list[object] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                data = json.dumps(receiver.reply, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/receipts"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver({})
    yield running
    running.close()


def test_aliyun_pushes_sms_report_batches(aliyun: AliyunSms, receiver: Receiver) -> None:
    receiver.reply = {"code": 0, "msg": "成功"}
    body = aliyun_send(aliyun, phones=f"{PHONE},13900139000")

    assert aliyun.push_receipts(receiver.url) == (200, {"code": 0, "msg": "成功"})

    [batch] = receiver.bodies
    assert [r["phone_number"] for r in batch] == [PHONE, "13900139000"]
    first = batch[0]
    assert set(first) == {
        "phone_number",
        "send_time",
        "report_time",
        "success",
        "err_code",
        "err_msg",
        "sms_size",
        "biz_id",
        "out_id",
    }
    assert (first["success"], first["err_code"], first["sms_size"]) == (True, "DELIVERED", "1")
    assert (first["biz_id"], first["out_id"]) == (body.biz_id, "case-42")
    assert len(first["send_time"]) == len("2026-11-26 10:00:00") == len(first["report_time"])

    assert aliyun.push_receipts(receiver.url) == (0, {})  # all acknowledged: nothing to push


def test_tencent_pushes_status_callbacks(tencent: TencentSms, receiver: Receiver) -> None:
    receiver.reply = {"result": 0, "errmsg": "OK"}
    [status] = tencent_send(tencent).SendStatusSet

    answer = tencent.push_receipts(receiver.url, delivered=False)

    assert answer == (200, {"result": 0, "errmsg": "OK"})
    [[receipt]] = receiver.bodies
    assert set(receipt) == {
        "user_receive_time",
        "nationcode",
        "mobile",
        "report_status",
        "errmsg",
        "description",
        "sid",
    }
    assert (receipt["nationcode"], receipt["mobile"], receipt["sid"]) == (
        "86",
        PHONE,
        status.SerialNo,
    )
    assert receipt["report_status"] == "FAIL"


@pytest.mark.parametrize("standin", [AliyunSms, TencentSms])
def test_unacknowledged_receipts_are_pushed_again(
    standin: type[AliyunSms] | type[TencentSms], receiver: Receiver
) -> None:
    with standin() as sms:
        send = aliyun_send if isinstance(sms, AliyunSms) else tencent_send
        send(sms)
        receiver.reply = {"code": 1, "result": 1, "msg": "busy", "errmsg": "busy"}
        sms.push_receipts(receiver.url)
        receiver.reply = {"code": 0, "result": 0, "msg": "成功", "errmsg": "OK"}
        sms.push_receipts(receiver.url)
        sms.push_receipts(receiver.url)

    assert [len(batch) for batch in receiver.bodies] == [1, 1]
