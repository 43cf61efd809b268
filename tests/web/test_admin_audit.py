"""Changes to staff accounts in the admin leave audit events."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from expedite.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_granting_a_role_in_the_admin_is_audited(client, world):
    client.login(username="root", password=PASSWORD)
    user = world.li
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [Group.objects.get(name="process").pk, Group.objects.get(name="risk").pk],
        "date_joined_0": "2026-11-26",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-11-26",
        "initial-date_joined_1": "09:00:00",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(kind="staff.roles_changed")
    assert event.payload == {"user": "li", "added": ["risk"], "removed": []}
    assert event.actor == "root"


def test_setting_a_password_in_the_admin_is_audited_without_the_password(client, world):
    client.login(username="root", password=PASSWORD)
    url = reverse("admin:auth_user_password_change", args=[world.wang.pk])
    response = client.post(
        url,
        {"password1": "N3w-passw0rd-x", "password2": "N3w-passw0rd-x", "usable_password": "true"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="staff.password_set")
    assert event.payload == {"user": "wang", "user_id": world.wang.pk}
    assert User.objects.get(pk=world.wang.pk).check_password("N3w-passw0rd-x")


def test_roles_cannot_be_edited_in_the_admin(client, world):
    client.login(username="root", password=PASSWORD)
    group = Group.objects.get(name="risk")
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "pwned"})
    assert response.status_code == 403
    assert Group.objects.filter(name="risk").exists()


def test_a_liaison_work_phone_set_in_the_admin_is_audited(client, world):
    from expedite.accounts.models import StaffContact

    client.login(username="root", password=PASSWORD)
    response = client.post(
        reverse("admin:accounts_staffcontact_add"),
        {"user": world.zhang.pk, "phone": "021-6288 0101"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert StaffContact.objects.get(user=world.zhang).phone == "021-6288 0101"
    event = AuditEvent.objects.get(kind="staff.changed")
    assert event.payload == {
        "user": "zhang",
        "user_id": world.zhang.pk,
        "fields": ["staff_contact.phone"],
    }
