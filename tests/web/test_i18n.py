import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_chinese_is_the_default_even_for_an_english_browser(client, world):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "员工登录" in html


def test_english_can_be_chosen_and_sticks(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("case_list")).content.decode()
    assert '<html lang="en">' in html
    assert "Expedite cases" in html or "New expedite case" in html
    assert "Client liaison" in html


def test_english_error_messages_from_services(client, world):
    client.login(username="zhang", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(
        reverse("case_create"),
        {
            "client": world.acme.pk,
            "service": "business-change",
            "requested_deadline": "2026-12-01",
            "reason": "急" * 2001,
        },
    )
    assert "cannot be longer than 2000 characters" in response.content.decode()
    assert (
        "加急原因"
        not in response.content.decode()
        .split("<main>")[1]
        .split("</form>")[0]
        .split("errorlist")[1][:300]
    )


def test_chinese_staff_names_read_family_name_first(client, world):
    client.login(username="zhang", password=PASSWORD)
    assert "张敏" in client.get(reverse("case_list")).content.decode()


def test_english_messages_from_the_domain_core(client, world):
    client.login(username="zhang", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post(
        reverse("client_create"),
        {
            "name": "X",
            "uscc": "123",
            "value_tier": "standard",
            "contact_name": "Y",
            "contact_phone": "1",
        },
    )
    html = response.content.decode()
    assert "must have 18 characters, not 3" in html
    assert "统一社会信用代码应为" not in html


def test_error_pages_speak_chinese(client, world):
    assert "找不到页面" in client.get("/no-such-page/").content.decode()
    assert "链接无效" in client.get("/p/not-a-token/").content.decode()
    client.login(username="outsider", password=PASSWORD)
    response = client.get(reverse("case_list"))
    assert response.status_code == 403 and "无权" in response.content.decode()
