"""The learning pages' forms: a bad id or decision is named and changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from expedite.learning.models import HandbookEntry

pytestmark = pytest.mark.django_db


def _flash(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("retro", ["abc", "²", "-1", "9" * 40])
def test_a_handbook_entry_from_a_retrospective_id_that_is_not_one_is_refused(client, world, retro):
    client.force_login(world.chen)
    response = client.post(
        reverse("handbook_entry_add", args=["foreign-equity-change"]),
        {"retro": retro, "action": "0", "title": "提前预约窗口", "body": "…"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#new-entry")
    assert _flash(response)
    assert not HandbookEntry.objects.exists()


def test_a_decision_other_than_accept_or_reject_is_refused(client, world):
    client.force_login(world.chen)
    client.post(
        reverse("handbook_entry_add", args=["foreign-equity-change"]),
        {"title": "提前预约窗口", "body": "商务局窗口需提前一天预约。"},
    )
    entry = HandbookEntry.objects.get()
    response = client.post(
        reverse("handbook_decide", args=[entry.pk]),
        {"decision": "maybe", "next": "https://example.com/"},
    )
    assert response["Location"] == reverse("handbook")  # not where "next" pointed
    assert "有效" in _flash(response)  # the form refused it, before the service
    entry.refresh_from_db()
    assert entry.decided_at is None
