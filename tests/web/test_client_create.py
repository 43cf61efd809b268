import pytest
from django.urls import reverse

from expedite.audit.models import AuditEvent
from expedite.cases.models import Client
from tests.conftest import PASSWORD, make_uscc

pytestmark = pytest.mark.django_db

NEW_USCC = make_uscc("91330106MA2H9TXT2")


def form(**overrides):
    data = {
        "name": "杭州云启人力资源有限公司",
        "uscc": NEW_USCC,
        "value_tier": "standard",
        "contact_name": "郑晓",
        "contact_phone": "13757130003",
        "contact_email": "",
        "contact_title": "经办人",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_a_liaison_registers_a_client_and_the_audit_records_it(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("client_create"), form())
    created = Client.objects.get(uscc=NEW_USCC)
    assert response.status_code == 302
    assert response.url == reverse("client_detail", args=[created.pk])
    assert created.contacts.get().is_primary
    event = AuditEvent.objects.get(kind="client.created", payload__client_id=created.pk)
    assert event.actor == "zhang"
    page = client.get(response.url)
    assert "郑晓" in page.content.decode()


def test_a_bad_credit_code_shows_a_chinese_message_and_saves_nothing(client, world):
    client.login(username="zhang", password=PASSWORD)
    events = AuditEvent.objects.count()
    response = client.post(reverse("client_create"), form(uscc=NEW_USCC[:-1] + "0"))
    assert response.status_code == 200
    assert "校验位不正确" in response.content.decode()
    assert not Client.objects.filter(name="杭州云启人力资源有限公司").exists()
    assert AuditEvent.objects.count() == events


def test_a_credit_code_already_registered_names_the_client(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("client_create"), form(uscc=world.acme.uscc))
    assert "已登记为客户“上海鲜达电子商务有限公司”" in response.content.decode()


def test_a_contact_needs_a_phone_or_an_email(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(reverse("client_create"), form(contact_phone=""))
    assert "至少需要手机号或电子邮箱" in response.content.decode()
    assert not Client.objects.filter(uscc=NEW_USCC).exists()


def test_the_risk_reviewer_may_not_register_clients(client, world):
    client.login(username="wang", password=PASSWORD)
    assert client.get(reverse("client_create")).status_code == 403
    assert client.post(reverse("client_create"), form()).status_code == 403
    assert not Client.objects.filter(uscc=NEW_USCC).exists()


def test_another_contact_can_be_added_on_the_client_page(client, world):
    client.login(username="zhang", password=PASSWORD)
    url = reverse("client_detail", args=[world.acme.pk])
    response = client.post(url, {"contact_name": "钱多", "contact_email": "qd@xianda.example"})
    assert response.status_code == 302
    assert list(world.acme.contacts.values_list("name", "is_primary")) == [
        ("周婷", True),
        ("钱多", False),
    ]
    assert AuditEvent.objects.filter(kind="client.contact_added").count() == 1


def test_every_problem_on_the_form_is_reported_in_one_round(client, world):
    client.login(username="zhang", password=PASSWORD)
    response = client.post(
        reverse("client_create"), form(name="", uscc="123", contact_phone="12345")
    )
    html = response.content.decode()
    assert "这个字段是必填项" in html
    assert "当前为 3 位" in html
    assert "手机号或电话格式不正确" in html
