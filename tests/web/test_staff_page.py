"""The staff page lists everyone holding a case role, whoever looks at it."""

import pytest
from django.urls import reverse

from expedite.accounts.selectors import staff_display_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("viewer", ["zhang", "chen"])  # a liaison, a manager
def test_every_case_role_holder_is_listed_for_every_viewer(client, world, viewer):
    client.force_login(getattr(world, viewer))
    html = client.get(reverse("staff")).content.decode()
    for person in (world.zhang, world.li, world.wang):
        assert staff_display_name(person) in html
