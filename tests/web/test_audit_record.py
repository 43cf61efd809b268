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
