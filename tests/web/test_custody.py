"""The custody ledger: handovers, confirmation by the other party, one-time codes."""

import datetime as dt

import pytest
from django.utils import timezone

from expedite import clock
from expedite.audit.models import AuditEvent
from expedite.custody import services
from expedite.custody.models import CustodyItem, CustodyMovement, HandoverCode
from expedite.domain.errors import NotAllowed, NotFound, ValidationFailed
from expedite.notify.sms import LogProvider
from expedite.workdays.selectors import firm_calendar
from tests.web import custody_helpers
from tests.web.custody_helpers import due, next_weekend_day

pytestmark = [pytest.mark.django_db, custody_helpers.CASE]
smtp = custody_helpers.smtp  # fixture


def kinds():
    return list(
        AuditEvent.objects.filter(kind__startswith="custody.").values_list("kind", flat=True)
    )


@pytest.fixture
def seal(world, case, smtp):
    """A 公章 the client handed to zhang, confirmed by the client with its code."""
    now = timezone.now()
    m = services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind="company_seal",
        purpose="在变更申请书上盖章",
        expected_return=due(),
        now=now,
    )
    services.confirm_by_client_code(
        client=world.hengxin, movement_id=m.pk, code=smtp.last_code(), now=now
    )
    return CustodyItem.objects.get(pk=m.item_id)


def test_check_in_mails_a_code_to_the_primary_contact_and_the_client_confirms_once(
    world, case, smtp
):
    now = timezone.now()
    m = services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind="company_seal",
        purpose="在变更申请书上盖章",
        expected_return=due(),
        now=now,
    )
    item = m.item
    assert (item.holder, item.state, m.from_client, m.to_user) == (
        world.zhang,
        "in_firm",
        "吴刚",
        world.zhang,
    )
    ((rcpt, text),) = smtp.texts()
    assert rcpt == ["wugang@hengxin.example"] and "公章" in text and "30 分钟" in text
    code = smtp.last_code()
    stored = HandoverCode.objects.get(movement=m)
    assert code not in stored.digest and len(stored.digest) == 64
    assert m.confirmed_at is None
    services.confirm_by_client_code(client=world.hengxin, movement_id=m.pk, code=code, now=now)
    m.refresh_from_db()
    assert m.confirmed_at == now and m.confirmed_by_client == "吴刚"
    assert m.confirm_method == "portal_code" and m.confirmed_by is None
    with pytest.raises(ValidationFailed, match="已确认"):
        services.confirm_by_client_code(client=world.hengxin, movement_id=m.pk, code=code, now=now)
    assert kinds() == ["custody.checked_in", "custody.confirmed"]


def test_a_wrong_code_changes_only_the_attempt_counter_and_five_use_the_code_up(world, case, smtp):
    now = timezone.now()
    m = services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind="tax_ukey",
        purpose="申报",
        expected_return=due(),
        now=now,
    )
    code = smtp.last_code()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationFailed, match="还可尝试 4 次"):
        services.confirm_by_client_code(client=world.hengxin, movement_id=m.pk, code=wrong, now=now)
    m.refresh_from_db()
    assert m.confirmed_at is None and HandoverCode.objects.get(movement=m).attempts == 1
    for _ in range(3):
        with pytest.raises(ValidationFailed, match="不正确"):
            services.confirm_by_client_code(
                client=world.hengxin, movement_id=m.pk, code=wrong, now=now
            )
    with pytest.raises(ValidationFailed, match="次数过多"):
        services.confirm_by_client_code(client=world.hengxin, movement_id=m.pk, code=wrong, now=now)
    with pytest.raises(ValidationFailed, match="次数过多"):
        services.confirm_by_client_code(client=world.hengxin, movement_id=m.pk, code=code, now=now)
    m.refresh_from_db()
    assert m.confirmed_at is None
    assert kinds().count("custody.code_failed") == 6
    # A new code restores the client's chances.
    services.resend_code(actor=world.zhang, movement=m, now=now)
    services.confirm_by_client_code(
        client=world.hengxin, movement_id=m.pk, code=smtp.last_code(), now=now
    )
    m.refresh_from_db()
    assert m.confirmed_at is not None


def test_a_code_expires_after_thirty_minutes(world, case, smtp):
    now = timezone.now()
    m = services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind="ca_cert",
        purpose="网上申报",
        expected_return=due(),
        now=now,
    )
    with pytest.raises(ValidationFailed, match="已过期"):
        services.confirm_by_client_code(
            client=world.hengxin,
            movement_id=m.pk,
            code=smtp.last_code(),
            now=now + dt.timedelta(minutes=30),
        )
    services.confirm_by_client_code(
        client=world.hengxin,
        movement_id=m.pk,
        code=smtp.last_code(),
        now=now + dt.timedelta(minutes=29),
    )


def test_resending_invalidates_the_old_code(world, case, smtp):
    now = timezone.now()
    m = services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind="finance_seal",
        purpose="银行开户",
        expected_return=due(),
        now=now,
    )
    old = smtp.last_code()
    services.resend_code(actor=world.li, movement=m, now=now)
    new = smtp.last_code()
    assert len(smtp.messages) == 2
    if old != new:  # one in a million they coincide; the old row is revoked either way
        with pytest.raises(ValidationFailed, match="不正确"):
            services.confirm_by_client_code(
                client=world.hengxin, movement_id=m.pk, code=old, now=now
            )
    assert HandoverCode.objects.filter(movement=m, revoked_at__isnull=False).count() == 1
    services.confirm_by_client_code(client=world.hengxin, movement_id=m.pk, code=new, now=now)
    assert "custody.code_sent" in kinds()


def test_another_clients_link_cannot_confirm_and_costs_no_attempt(world, case, smtp):
    now = timezone.now()
    m = services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind="company_seal",
        purpose="盖章",
        expected_return=due(),
        now=now,
    )
    with pytest.raises(NotFound):
        services.confirm_by_client_code(
            client=world.acme, movement_id=m.pk, code=smtp.last_code(), now=now
        )
    m.refresh_from_db()
    assert m.confirmed_at is None and HandoverCode.objects.get(movement=m).attempts == 0


def test_transfer_is_confirmed_by_the_receiver_never_by_the_recorder(world, seal):
    now = timezone.now()
    m = services.transfer(
        actor=world.zhang, item=seal, to_user=world.li, purpose="去税务局", now=now
    )
    seal.refresh_from_db()
    assert seal.holder == world.li and seal.since == now
    with pytest.raises(NotAllowed, match="不能确认自己登记的交接"):
        services.confirm_by_staff(actor=world.zhang, movement=m, now=now)
    with pytest.raises(NotAllowed, match="另一方"):
        services.confirm_by_staff(actor=world.wang, movement=m, now=now)
    services.confirm_by_staff(actor=world.li, movement=m, now=now)
    m.refresh_from_db()
    assert m.confirmed_by == world.li and m.confirm_method == "staff"
    with pytest.raises(ValidationFailed, match="已确认"):
        services.confirm_by_staff(actor=world.li, movement=m, now=now)


def test_client_handovers_are_not_confirmed_by_staff(world, case, smtp):
    m = services.check_in(
        actor=world.zhang,
        client=world.hengxin,
        case=case,
        kind="company_seal",
        purpose="盖章",
        expected_return=due(),
        now=timezone.now(),
    )
    for actor in (world.zhang, world.li, world.zhao):
        with pytest.raises(NotAllowed, match="客户凭确认码"):
            services.confirm_by_staff(actor=actor, movement=m, now=timezone.now())


def test_only_the_holder_hands_an_item_on_unless_a_supervisor(world, seal):
    now = timezone.now()
    with pytest.raises(NotAllowed, match="由 张敏 保管"):
        services.transfer(actor=world.li, item=seal, to_user=world.li, purpose="拿走", now=now)
    with pytest.raises(NotAllowed):
        services.check_out(actor=world.wang, item=seal, purpose="归还", now=now)
    assert CustodyMovement.objects.filter(item=seal).count() == 1
    # A supervisor takes it over while zhang is away: zhang (the giver) confirms.
    m = services.transfer(actor=world.zhao, item=seal, to_user=world.zhao, purpose="代管", now=now)
    with pytest.raises(NotAllowed):
        services.confirm_by_staff(actor=world.zhao, movement=m, now=now)
    services.confirm_by_staff(actor=world.zhang, movement=m, now=now)


def test_check_out_returns_the_item_and_the_client_confirms_receipt(world, seal, smtp):
    now = timezone.now()
    m = services.check_out(actor=world.zhang, item=seal, purpose="办结归还", now=now)
    seal.refresh_from_db()
    assert seal.state == "returned" and seal.holder is None and m.to_client == "吴刚"
    assert "归还" in smtp.texts()[-1][1]
    services.confirm_by_client_code(
        client=world.hengxin, movement_id=m.pk, code=smtp.last_code(), now=now
    )
    with pytest.raises(ValidationFailed, match="不能重复归还"):
        services.check_out(actor=world.zhang, item=seal, purpose="再还一次", now=now)
    with pytest.raises(ValidationFailed, match="已归还客户"):
        services.transfer(actor=world.zhao, item=seal, to_user=world.li, purpose="x", now=now)
    # Handed in again later: the same item comes back into the firm.
    services.check_in(
        actor=world.li,
        client=world.hengxin,
        kind="company_seal",
        item=seal,
        purpose="年报盖章",
        expected_return=due(),
        now=now,
    )
    seal.refresh_from_db()
    assert seal.state == "in_firm" and seal.holder == world.li


def test_refused_input_writes_nothing_and_sends_nothing(world, case, smtp):
    now = timezone.now()
    before = AuditEvent.objects.count()
    cases = [
        (dict(kind="company_seal", purpose="盖章", expected_return=next_weekend_day()), "周末"),
        (dict(kind="original_document", purpose="核验", expected_return=due()), "物品说明"),
        (dict(kind="company_seal", purpose="  ", expected_return=due()), "用途"),
        (dict(kind="rubber_duck", purpose="x", expected_return=due()), "物品类别"),
        (dict(kind="company_seal", purpose="x", expected_return=None), "预计归还"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            services.check_in(actor=world.zhang, client=world.hengxin, case=case, now=now, **kwargs)
    # 恒信's case but 鲜达's seal; and 鲜达's contact has no e-mail address or mobile for the code.
    with pytest.raises(ValidationFailed, match="不属于"):
        services.check_in(
            actor=world.zhang,
            client=world.acme,
            case=case,
            kind="company_seal",
            purpose="x",
            expected_return=due(),
            now=now,
        )
    # A landline cannot take a text message.
    world.acme.contacts.update(phone="021-6288 0000")
    with pytest.raises(ValidationFailed, match="没有可用的电子邮箱或手机号码"):
        services.check_in(
            actor=world.zhang,
            client=world.acme,
            kind="company_seal",
            purpose="x",
            expected_return=due(),
            now=now,
        )
    with pytest.raises(NotAllowed):
        services.check_in(
            actor=world.outsider,
            client=world.hengxin,
            kind="company_seal",
            purpose="x",
            expected_return=due(),
            now=now,
        )
    assert not CustodyItem.objects.exists() and not CustodyMovement.objects.exists()
    assert AuditEvent.objects.count() == before and smtp.messages == []


def test_the_holiday_error_suggests_the_next_working_day(world, case, smtp):
    saturday = next_weekend_day()
    with pytest.raises(ValidationFailed) as err:
        services.check_in(
            actor=world.zhang,
            client=world.hengxin,
            case=case,
            kind="company_seal",
            purpose="盖章",
            expected_return=saturday,
            now=timezone.now(),
        )
    suggested = firm_calendar().next_workday(saturday).isoformat()
    assert suggested in err.value.message and err.value.field == "expected_return"


def test_a_movement_cannot_be_rewritten(world, seal):
    m = seal.movements.get()
    m.purpose = "改过的用途"
    with pytest.raises(ValueError, match="append-only"):
        m.save()
    with pytest.raises(ValueError, match="append-only"):
        m.delete()


def test_a_contact_with_only_a_mobile_gets_the_code_by_text_message(world, smtp):
    now = clock.now()
    movement = services.check_in(
        actor=world.zhang,
        client=world.acme,
        kind="company_seal",
        purpose="变更登记用印",
        expected_return=due(),
        now=now,
    )
    sent = LogProvider.sent[-1]
    assert sent.phone == "13816220001" and sent.kind == "code"
    assert sent.variables["code"] == movement.sent_code and not smtp.messages
    code = HandoverCode.objects.get(movement=movement)
    assert code.sent_to_email == "" and code.sent_to_name == "周婷"
