"""The WeCom stand-in answers as the documented service does, so product tests can trust it.

A plain urllib client plays the product: no mocks, only HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.standins.wecom import Card, WecomApi

CARD = {
    "title": "材料补正提醒",
    "description": '<div class="gray">2026年11月26日</div> 营业执照变更：请补交股东会决议',
    "url": "https://expedite.example/cases/42",
    "btntxt": "查看",
}


@pytest.fixture
def api():
    with WecomApi() as running:
        yield running


def get(api: WecomApi, path: str, **query: str) -> dict:
    url = f"{api.url}{path}?{urlencode(query)}"
    with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback only
        return json.loads(answer.read())


def token(api: WecomApi) -> str:
    return get(api, "/cgi-bin/gettoken", corpid=api.corp_id, corpsecret=api.secret)["access_token"]


def send(api: WecomApi, access_token: str | None, body: dict, *, timeout: float = 2) -> dict:
    query = "" if access_token is None else f"?{urlencode({'access_token': access_token})}"
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{api.url}/cgi-bin/message/send{query}",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        return json.loads(answer.read())


def textcard(touser: str, agentid: int = 1000002, **fields: str) -> dict:
    return {
        "touser": touser,
        "msgtype": "textcard",
        "agentid": agentid,
        "textcard": {**CARD, **fields},
    }


def test_gettoken_issues_a_token_and_counts_the_calls(api):
    answer = get(api, "/cgi-bin/gettoken", corpid="ww-test-corp", corpsecret="test-app-secret")

    assert answer["errcode"] == 0 and answer["errmsg"] == "ok"
    assert answer["expires_in"] == 7200 and len(answer["access_token"]) >= 32
    assert token(api) != answer["access_token"]
    assert api.token_requests == 2


def test_gettoken_refuses_a_wrong_secret_or_corpid(api):
    wrong_secret = get(api, "/cgi-bin/gettoken", corpid=api.corp_id, corpsecret="guess")
    wrong_corp = get(api, "/cgi-bin/gettoken", corpid="ww-other", corpsecret=api.secret)

    assert wrong_secret["errcode"] == 40001 and "access_token" not in wrong_secret
    assert wrong_secret["errmsg"].startswith("invalid credential")
    assert wrong_corp["errcode"] == 40013
    assert wrong_corp["errmsg"].startswith("invalid corpid")


def test_a_textcard_to_a_known_member_is_recorded_with_every_field(api):
    answer = send(api, token(api), textcard("zhangmin"))

    assert answer == {
        "errcode": 0,
        "errmsg": "ok",
        "invaliduser": "",
        "invalidparty": "",
        "invalidtag": "",
        "unlicenseduser": "",
        "msgid": answer["msgid"],
        "response_code": "",
    }
    assert api.messages == [
        Card(
            touser=("zhangmin",),
            msgtype="textcard",
            title=CARD["title"],
            description=CARD["description"],
            url=CARD["url"],
            btntxt="查看",
            agentid=1000002,
            msgid=answer["msgid"],
        )
    ]
    assert api.to("zhangmin") == api.messages and api.to("liqiang") == []
    assert api.requests == 1


def test_a_text_message_records_its_content_as_the_description(api):
    send(api, token(api), {"touser": "liqiang", "msgtype": "text", "agentid": 1000002,
                           "text": {"content": "请于今日补交材料"}})  # fmt: skip

    (card,) = api.to("liqiang")
    assert (card.msgtype, card.title, card.description, card.url) == (
        "text",
        "",
        "请于今日补交材料",
        "",
    )


def test_an_unknown_or_missing_token_is_refused(api):
    assert send(api, "not-a-token", textcard("zhangmin"))["errcode"] == 40014
    assert send(api, None, textcard("zhangmin"))["errcode"] == 41001
    assert api.messages == [] and api.requests == 2


def test_expired_tokens_answer_42001_until_a_new_one_is_fetched(api):
    old = token(api)
    api.expire_tokens()

    refused = send(api, old, textcard("zhangmin"))
    accepted = send(api, token(api), textcard("zhangmin"))

    assert refused["errcode"] == 42001 and refused["errmsg"].startswith("access_token expired")
    assert accepted["errcode"] == 0
    assert len(api.to("zhangmin")) == 1


def test_unknown_members_are_named_and_only_the_known_ones_receive(api):
    answer = send(api, token(api), textcard("zhangmin|ghost|liqiang|nobody"))

    assert answer["errcode"] == 0 and answer["invaliduser"] == "ghost|nobody"
    (card,) = api.messages
    assert card.touser == ("zhangmin", "liqiang")
    assert api.to("ghost") == []


def test_all_members_unknown_is_81013_and_nothing_is_recorded(api):
    answer = send(api, token(api), textcard("ghost|nobody"))

    assert answer["errcode"] == 81013 and answer["invaliduser"] == "ghost|nobody"
    assert answer["errmsg"].startswith("user & party & tag all invalid")
    assert api.messages == []


def test_added_members_become_reachable(api):
    api.add_user("newhire")

    assert send(api, token(api), textcard("newhire"))["errcode"] == 0
    assert len(api.to("newhire")) == 1


def test_a_wrong_agentid_is_refused(api):
    assert send(api, token(api), textcard("zhangmin", agentid=1000003))["errcode"] == 40056
    assert api.messages == []


def test_over_long_card_fields_are_cut_as_the_service_cuts_them(api):
    title = "营业执照变更" * 10  # 180 bytes of UTF-8
    send(api, token(api), textcard("zhangmin", title=title, btntxt="查看详细情况"))

    (card,) = api.messages
    assert len(card.title.encode()) <= 128 and title.startswith(card.title)
    assert card.btntxt == "查看详细"


def test_strict_mode_refuses_an_over_long_title():
    with WecomApi(strict=True) as api:
        answer = send(api, token(api), textcard("zhangmin", title="标" * 43))  # 129 bytes

        assert answer["errcode"] == 45002
        assert api.messages == []
        assert send(api, token(api), textcard("zhangmin", title="标" * 42))["errcode"] == 0


def test_empty_or_over_long_text_and_incomplete_cards_are_refused(api):
    access_token = token(api)

    def text(content: str) -> dict:
        return {"touser": "zhangmin", "msgtype": "text", "agentid": 1000002,
                "text": {"content": content}}  # fmt: skip

    assert send(api, access_token, text(""))["errcode"] == 44004
    assert send(api, access_token, text("字" * 683))["errcode"] == 45002  # 2049 bytes
    assert send(api, access_token, textcard("zhangmin", url=""))["errcode"] == 41010
    assert send(api, access_token, textcard("zhangmin", url="/cases/42"))["errcode"] == 45034
    assert send(api, access_token, textcard("zhangmin", description=""))["errcode"] == 41033
    assert api.messages == []


def test_fail_next_answers_queued_errors_in_order(api):
    access_token = token(api)
    api.fail_next(45009, "api freq out of limit")
    api.fail_next(45033)

    first = send(api, access_token, textcard("zhangmin"))
    second = send(api, access_token, textcard("zhangmin"))
    third = send(api, access_token, textcard("zhangmin"))

    assert first == {"errcode": 45009, "errmsg": "api freq out of limit"}
    assert second["errcode"] == 45033
    assert second["errmsg"].startswith("api concurrent out of limit")
    assert third["errcode"] == 0
    assert len(api.messages) == 1 and api.requests == 3


def test_hang_next_times_the_client_out_after_the_message_was_recorded(api):
    access_token = token(api)
    api.hang_next(1.5)

    # socket.timeout is TimeoutError; urllib wraps it in URLError when sending, not when waiting.
    with pytest.raises((TimeoutError, urllib.error.URLError)) as raised:
        send(api, access_token, textcard("zhangmin"), timeout=0.3)

    if isinstance(raised.value, urllib.error.URLError):
        assert isinstance(raised.value.reason, TimeoutError)
    assert len(api.to("zhangmin")) == 1
    assert send(api, access_token, textcard("zhangmin"))["errcode"] == 0


def test_a_retry_after_a_timeout_is_dropped_as_a_duplicate_when_asked(api):
    access_token = token(api)
    body = {**textcard("zhangmin"), "enable_duplicate_check": 1, "duplicate_check_interval": 600}
    api.hang_next(1.5)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        send(api, access_token, body, timeout=0.3)

    retry = send(api, access_token, body)
    unchecked = send(api, access_token, textcard("zhangmin"))
    api.advance_clock(600)
    later = send(api, access_token, body)

    assert retry["errcode"] == 0 and retry["msgid"] == api.messages[0].msgid
    assert unchecked["errcode"] == 0 and later["errcode"] == 0
    assert len(api.to("zhangmin")) == 3 and api.requests == 4


def test_a_member_over_the_per_minute_limit_is_refused_until_the_minute_passes():
    with WecomApi(per_member_per_minute=3) as api:
        access_token = token(api)
        answers = [send(api, access_token, textcard("zhangmin"))["errcode"] for _ in range(4)]
        other = send(api, access_token, textcard("liqiang"))["errcode"]

        assert answers == [0, 0, 0, 45009]
        assert other == 0
        assert len(api.to("zhangmin")) == 3

        api.advance_clock(60)
        assert send(api, access_token, textcard("zhangmin"))["errcode"] == 0


def test_unknown_paths_are_404(api):
    with pytest.raises(urllib.error.HTTPError) as raised:
        get(api, "/cgi-bin/user/get", access_token="x", userid="zhangmin")

    assert raised.value.code == 404
