"""The test factories write what the product writes: valid codes, the audit trail, the clocks."""

import pytest

from expedite.audit.models import AuditEvent
from expedite.audit.verify import verify
from expedite.cases.clocks import clocks_from_json
from expedite.domain.identifiers import normalize_uscc
from expedite.domain.roles import Role
from expedite.domain.sla import ClockState
from tests.conftest import PASSWORD
from tests.factories import CaseFactory, ClientFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_staff_user_has_the_password_and_the_role_asked_for():
    user = UserFactory(role=Role.PROCESS)
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [Role.PROCESS.value]
    assert not UserFactory().groups.exists()


def test_clients_get_distinct_valid_credit_codes_and_are_registered_by_the_service(catalog):
    first, second = ClientFactory(), ClientFactory()
    for client in (first, second):
        assert normalize_uscc(client.uscc) == client.uscc
        assert client.contacts.get().is_primary
    assert first.uscc != second.uscc
    created = AuditEvent.objects.filter(kind="client.created")
    assert sorted(e.payload["client_id"] for e in created) == sorted([first.pk, second.pk])


def test_a_further_contact_is_added_through_the_service(catalog):
    client = ClientFactory()
    contact = ContactFactory(client=client, actor=client.created_by)
    assert not contact.is_primary and client.contacts.count() == 2
    assert AuditEvent.objects.filter(kind="client.contact_added").exists()


def test_a_new_case_is_opened_by_the_service_with_its_clock_and_event(catalog):
    case = CaseFactory(service="labor-dispatch-license", days=60)
    assert case.state == "draft" and case.reference
    assert case.service.code == "labor-dispatch-license"
    assert clocks_from_json(case.clocks).firm.state == ClockState.RUNNING
    assert AuditEvent.objects.filter(kind="case.created", case=case).count() == 1
    assert verify().ok
