"""The monitoring panel's forms: bad input is named and changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from expedite.monitoring.models import Incident
from tests.web.test_case_panels import _running_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "office_delay", "description": "窗口排队", "step": "第二步"},
        {"kind": "office_delay", "description": "窗口\x00排队"},
    ],
)
def test_an_incident_with_a_bad_field_is_refused_with_its_reason(client, world, data):
    case = _running_case(world)
    client.force_login(world.li)
    response = client.post(reverse("incident_raise", args=[case.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.pk]) + "#monitoring"
    assert " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not Incident.objects.exists()
