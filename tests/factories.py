"""Test data: factories for the rows a test starts from, each written as the product writes it.

Staff, clients, contacts and new cases go through the services where the product has one, so
every starting row carries its audit event (and a case its clocks). From there a test moves the
case on through the services too (`triaged`, `moved`, or the service under test).

    zhang = UserFactory(role=Role.LIAISON)
    acme = ClientFactory(actor=zhang)              # a valid 统一社会信用代码, one contact
    case = CaseFactory(actor=zhang, client=acme)   # 草稿, due in 30 days
    case = new_case(world, service="vat-credit-refund", days=40)
    case = triaged(world, case, facts={"business_license_valid": True})
    case = moved(world, case, "quoted", "accepted")

`world` is the suite's fixture (tests/conftest.py): the demo firm's staff and two clients,
acme (a contact without e-mail) and hengxin (吴刚, with an e-mail address).
"""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone
from factory.django import DjangoModelFactory

from expedite import clock
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case, Client, ClientContact, ServiceType
from expedite.cases.services import ContactInput, case_create, client_contact_add, client_create
from expedite.cases.triage import TriageInput, case_triage
from expedite.domain.calendar import SHANGHAI
from expedite.domain.roles import Role
from expedite.workdays.selectors import firm_calendar
from tests.conftest import PASSWORD, make_uscc


class UserFactory(DjangoModelFactory):
    """A staff account with the suite's password; `role=Role.X` puts it in that role's group."""

    class Meta:
        model = User
        skip_postgeneration_save = True  # adding a group needs no second save

    username = factory.Sequence(lambda n: f"staff{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # create_user hashes the password, as an account made by the product would have it.
        return cls._get_manager(model_class).create_user(*args, **kwargs)

    @factory.post_generation
    def role(user, create, role: Role | None, **kwargs):
        if create and role is not None:
            user.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])


class ContactInputFactory(factory.Factory):
    """A contact as the intake form hands it to the services (a mobile number, no e-mail)."""

    class Meta:
        model = ContactInput

    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"139{n % 10**8:08d}")
    email = ""
    title = ""


class ClientFactory(factory.Factory):
    """A client registered by a liaison through client_create, with one contact by default."""

    class Meta:
        model = Client

    actor = factory.SubFactory(UserFactory, role=Role.LIAISON)
    name = factory.Sequence(lambda n: f"测试客户{n}有限公司")
    # 17 characters of the code's alphabet and the GB 32100-2015 check character.
    uscc = factory.Sequence(lambda n: make_uscc(f"91310000MA{n % 10**7:07d}"))
    value_tier = "standard"
    contacts = factory.List([factory.SubFactory(ContactInputFactory)])
    notes = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return client_create(**kwargs)


class ContactFactory(factory.Factory):
    """One more contact of an existing client, added through client_contact_add."""

    class Meta:
        model = ClientContact

    client = None  # required
    actor = factory.SubFactory(UserFactory, role=Role.LIAISON)
    contact = factory.SubFactory(ContactInputFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return client_contact_add(**kwargs)


def _deadline(spec) -> dt.date:
    today = timezone.localdate()
    if spec.workdays is not None:
        return firm_calendar().add_workdays(today, spec.workdays)
    return today + dt.timedelta(days=spec.days)


class CaseFactory(factory.Factory):
    """A new request (草稿) opened through case_create at the pinned instant, due `days` calendar
    days (or `workdays` working days) from today unless `requested_deadline` is given. Needs
    the catalog (the `catalog` or `world` fixture)."""

    class Meta:
        model = Case

    class Params:
        days = 30
        workdays = None

    actor = factory.SubFactory(UserFactory, role=Role.LIAISON)
    client = factory.SubFactory(ClientFactory, actor=factory.SelfAttribute("..actor"))
    service = "business-change"
    requested_deadline = factory.LazyAttribute(_deadline)
    reason = "签约"
    now = factory.LazyFunction(lambda: clock.now())

    @classmethod
    def _create(cls, model_class, *args, client, service, **kwargs):
        return case_create(client_id=client.pk, service_code=service, **kwargs)


class PastCaseFactory(DjangoModelFactory):
    """A finished case as it stood on `opened`, written as a row: the services stamp the
    present, and a fixed history (the KPI figures) needs its own dates. No audit events."""

    class Meta:
        model = Case

    class Params:
        code = "business-change"

    opened = None  # required: taken out of the row's fields by _create
    service = factory.LazyAttribute(lambda o: ServiceType.objects.get(code=o.code))
    reason = factory.LazyAttribute(lambda o: f"{o.code} {o.opened:%m-%d}")
    state = "closed"

    @classmethod
    def _create(cls, model_class, *args, opened, **kwargs):
        case = super()._create(model_class, *args, **kwargs)
        # created_at is auto_now_add and the reference follows the pk, so both come after.
        reference = f"JJ-{opened.astimezone(SHANGHAI):%Y}-{case.pk:05d}"
        model_class.objects.filter(pk=case.pk).update(created_at=opened, reference=reference)
        return model_class.objects.get(pk=case.pk)


def new_case(
    world,
    *,
    client=None,
    service: str = "business-change",
    deadline: dt.date | None = None,
    days: int = 30,
    workdays: int | None = None,
    reason: str = "签约",
    actor=None,
) -> Case:
    """A new request (草稿) of acme (or `client`) opened by the liaison zhang."""
    fields = {"requested_deadline": deadline} if deadline is not None else {}
    return CaseFactory(
        actor=actor or world.zhang,
        client=client or world.acme,
        service=service,
        days=days,
        workdays=workdays,
        reason=reason,
        **fields,
    )


def triaged(
    world, case: Case, *, facts: dict | None = None, written_notice: bool = True, **decision
) -> Case:
    """The case triaged by the liaison against its own deadline (`decision`: the rest of the
    triage form, such as `consequence`)."""
    return case_triage(
        actor=world.zhang,
        case=case,
        data=TriageInput(
            deadline=case.requested_deadline,
            written_notice=written_notice,
            facts=facts or {},
            **decision,
        ),
        now=timezone.now(),
    )


def moved(world, case: Case, *states: str, actor=None) -> Case:
    """The case moved through `states` in order, each move as the lifecycle allows it."""
    for state in states:
        case = case_transition(actor=actor or world.zhang, case=case, to=state, now=timezone.now())
    return case


def case_along(world, *, facts: dict | None = None, states: tuple[str, ...] = (), **fields) -> Case:
    """A new case (`fields` as for new_case), triaged on `facts` when they are given, then moved
    through `states`: the start most case tests share."""
    case = new_case(world, **fields)
    if facts is not None:
        case = triaged(world, case, facts=facts)
    return moved(world, case, *states)
