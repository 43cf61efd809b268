import pytest

from expedite.audit.models import AuditEvent, AuditHead, AuditImmutableError
from expedite.audit.services import audit_record
from expedite.domain.audit import GENESIS_HASH, AuditKind, EventBody, event_hash

pytestmark = pytest.mark.django_db


def test_every_write_in_the_slice_left_a_chained_event(world):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.kind for e in events] == ["catalog.loaded", "client.created", "client.created"]
    previous = GENESIS_HASH
    for e in events:
        body = EventBody(
            seq=e.seq,
            time=e.time,
            actor_kind=e.actor_kind,
            actor=e.actor,
            kind=AuditKind(e.kind),
            case_id=e.case_id,
            payload=e.payload,
            prev_hash=e.prev_hash,
        )
        assert e.prev_hash == previous
        assert e.hash == event_hash(body)
        previous = e.hash
    assert AuditHead.objects.get().hash == previous


def test_events_cannot_be_changed_or_deleted(world):
    event = AuditEvent.objects.first()
    event.actor = "someone-else"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(actor="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()


def test_recording_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(kind=AuditKind.DEMO_LOADED)


def test_a_service_that_fails_halfway_leaves_neither_rows_nor_events(world, monkeypatch):
    from expedite.cases.models import Client, ClientContact
    from expedite.cases.services import ContactInput, client_create
    from tests.conftest import make_uscc

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    before = AuditEvent.objects.count()
    monkeypatch.setattr(ClientContact.objects, "create", broken)
    with pytest.raises(RuntimeError):
        client_create(
            actor=world.zhang,
            name="半途而废有限公司",
            uscc=make_uscc("91330106MA2H9HLF1"),
            contacts=[ContactInput(name="甲", phone="13800138000")],
        )
    assert not Client.objects.filter(name="半途而废有限公司").exists()
    assert AuditEvent.objects.count() == before


def test_logins_and_failed_logins_are_recorded(client, world):
    client.post("/login/", {"username": "zhang", "password": "wrong"})
    failed = AuditEvent.objects.filter(kind="auth.login_failed").get()
    assert failed.payload["username"] == "zhang"
    assert "password" not in failed.payload
    client.post("/login/", {"username": "zhang", "password": "correct-horse-battery"})
    assert AuditEvent.objects.filter(kind="auth.login", actor="zhang").exists()


def test_repeated_failed_logins_are_throttled_and_stop_growing_the_record(client, world):
    for _ in range(5):
        client.post("/login/", {"username": "zhang", "password": "wrong"})
    assert AuditEvent.objects.filter(kind="auth.login_failed").count() == 5
    response = client.post("/login/", {"username": "zhang", "password": "correct-horse-battery"})
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    for _ in range(3):
        client.post("/login/", {"username": "zhang", "password": "wrong"})
    assert AuditEvent.objects.filter(kind="auth.login_failed").count() == 5
    # Another account from the same address is still allowed.
    client.post("/login/", {"username": "li", "password": "correct-horse-battery"})
    assert "_auth_user_id" in client.session


def test_an_unknown_event_kind_is_refused_and_nothing_is_stored(world):
    from django.core.exceptions import ValidationError
    from django.db import transaction

    before = AuditEvent.objects.count()
    head = AuditHead.objects.values_list("seq", "hash").first()
    with transaction.atomic():
        with pytest.raises(ValueError, match=r"unknown audit event kind: 'case\.teleported'"):
            audit_record(kind="case.teleported", payload={"x": 1})
        # Refused before anything was written, not merely rolled back afterwards.
        assert AuditEvent.objects.count() == before
        assert AuditHead.objects.values_list("seq", "hash").first() == head
    # Writers that bypass audit_record: save() and a form's full_clean() refuse it too.
    event = AuditEvent(
        seq=10**9,
        time=AuditEvent.objects.first().time,
        actor_kind="system",
        actor="x",
        kind="case.teleported",
        payload={"x": 1},
        prev_hash="0" * 64,
        hash="f" * 64,
    )
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert list(refused.value.message_dict) == ["kind"]
    with pytest.raises(ValueError, match="unknown audit event kind"):
        event.save()
    assert AuditEvent.objects.count() == before
    assert AuditHead.objects.values_list("seq", "hash").first() == head
    # A kind the code defines passes the same check.
    event.kind = AuditKind.DEMO_LOADED.value
    event.full_clean()


def test_every_event_kind_has_a_label_in_both_languages():
    from django.utils import translation

    from expedite.audit.models import AUDIT_KIND_LABELS, audit_kind_label

    assert set(AUDIT_KIND_LABELS) == set(AuditKind)
    for kind in AuditKind:
        with translation.override("zh-hans"):
            chinese = audit_kind_label(kind.value)
        with translation.override("en"):
            english = audit_kind_label(kind.value)
        assert chinese and chinese != kind.value, kind
        assert english and english != chinese, kind


def test_a_new_event_kind_needs_no_migration():
    """The models match the migrations, and the kind field no longer depends on AuditKind.

    The autodetector compares each field's deconstruction. The kind field deconstructs to
    its max_length and verbose_name only, neither of which comes from AuditKind, so a new
    member of the enum changes nothing it compares: no migration is generated.
    """
    from django.core.management import call_command

    call_command("makemigrations", "audit", "--check", "--dry-run", verbosity=0)
    field = AuditEvent._meta.get_field("kind")
    assert field.choices is None
    _name, _path, _args, kwargs = field.deconstruct()
    assert set(kwargs) == {"max_length", "verbose_name"}
    assert max(len(k.value) for k in AuditKind) <= field.max_length


def test_the_admin_filters_events_by_kind_under_its_translated_name(client, world):
    from django.urls import reverse

    from tests.conftest import PASSWORD

    client.login(username="root", password=PASSWORD)
    url = reverse("admin:audit_auditevent_changelist")
    response = client.get(url, {"kind": AuditKind.CLIENT_CREATED.value})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    html = response.content.decode()
    assert "登记客户" in html and "载入服务目录" in html  # the filter lists every kind by name
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(url, {"kind": AuditKind.CATALOG_LOADED.value}).content.decode()
    assert "Register client" in html
