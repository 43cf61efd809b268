"""Approvals: the matrix decides who approves, four eyes, and pending approvals block moves."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from expedite.accounts.services import api_token_create
from expedite.approvals.models import ApprovalRequest, ApprovalRule
from expedite.approvals.selectors import current_rules, pending_for
from expedite.approvals.services import approval_decide, approval_request, approval_withdraw
from expedite.audit.models import AuditEvent
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case
from expedite.domain.approvals import DEFAULT_RULES, ApprovalAction, required_role
from expedite.domain.errors import NotAllowed, ValidationFailed
from tests.conftest import PASSWORD
from tests.factories import moved, new_case, triaged

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund_case(world):
    """A VAT refund, quoted and accepted: the next step (filing) waits for the refund's approval."""
    case = new_case(world, service="vat-credit-refund", days=40)
    return moved(world, triaged(world, case, consequence="lost_business"), "quoted", "accepted")


@pytest.fixture
def infeasible(world):
    """工商变更 by the next working day cannot be done: the triage says infeasible."""
    case = new_case(world, workdays=1)
    case = triaged(world, case, consequence="contract_penalty", facts={"resolution_signed": True})
    assert case.verdict == "infeasible"
    return move(world.zhang, case, "quoted")


def move(actor, case, to, reason=""):
    return case_transition(actor=actor, case=case, to=to, reason=reason, now=timezone.now())


def ask(world, case, amount=None, action="refund", actor=None, **kwargs):
    return approval_request(
        actor=actor or world.li,
        case=case,
        action=action,
        amount=amount,
        justification=kwargs.pop("justification", "退税款月底到账"),
        now=timezone.now(),
        **kwargs,
    )


def decide(actor, row, grant=True, reason="同意"):
    return approval_decide(actor=actor, request=row, grant=grant, reason=reason, now=timezone.now())


def written():
    return ApprovalRequest.objects.count(), AuditEvent.objects.count()


def test_the_migration_seeds_the_firms_matrix(world):
    assert set(current_rules()) == set(DEFAULT_RULES)


def test_the_50000_boundary_picks_the_approver_and_is_kept_on_the_request(world, refund_case):
    under = ask(world, refund_case, "49999.99")
    assert under.required_role == "manager" and under.blocks == "in_progress"
    approval_withdraw(actor=world.li, request=under, now=timezone.now())
    at = ask(world, refund_case, 50000)
    assert at.required_role == "general_manager"
    event = AuditEvent.objects.filter(kind="approval.requested").last()
    assert event.case_id == refund_case.pk
    assert event.payload["amount"] == "50000.00"
    assert event.payload["required_role"] == "general_manager"
    # A later change of the matrix does not move a request already made.
    ApprovalRule.objects.filter(action="refund").update(role="manager")
    assert ApprovalRequest.objects.get(pk=at.pk).required_role == "general_manager"


def test_the_requester_never_decides_their_own_request(world, refund_case):
    row = ask(world, refund_case, 1000, actor=world.chen)
    before = written()
    with pytest.raises(NotAllowed, match="不能审批自己提交的申请"):
        decide(world.chen, row)
    assert written() == before
    assert ApprovalRequest.objects.get(pk=row.pk).status == "pending"
    assert list(pending_for(world.chen)) == []
    assert list(pending_for(world.liu)) == [row]


def test_a_manager_cannot_approve_a_general_manager_refund_but_the_gm_approves_a_managers(
    world, refund_case
):
    big = ask(world, refund_case, 80000)
    with pytest.raises(NotAllowed, match="须由总经理或更高级别审批"):
        decide(world.chen, big)
    assert list(pending_for(world.chen)) == []
    approval_withdraw(actor=world.li, request=big, now=timezone.now())
    small = ask(world, refund_case, 3000)
    granted = decide(world.liu, small, reason="金额小，同意")
    assert (granted.status, granted.decided_by, granted.decision_reason) == (
        "granted",
        world.liu,
        "金额小，同意",
    )
    event = AuditEvent.objects.get(kind="approval.granted")
    assert event.actor == "liu" and event.payload["reason"] == "金额小，同意"


@pytest.mark.parametrize("who", ["zhao", "root", "zhang", "wang", "outsider"])
def test_only_managers_and_above_decide(world, refund_case, who):
    row = ask(world, refund_case, 100)
    with pytest.raises(NotAllowed, match="须由部门经理或更高级别审批"):
        decide(getattr(world, who), row)
    assert ApprovalRequest.objects.get(pk=row.pk).status == "pending"


def test_who_may_ask(world, refund_case):
    with pytest.raises(NotAllowed, match="无权为加急单申请审批"):
        ask(world, refund_case, 100, actor=world.wang)
    with pytest.raises(NotAllowed):
        ask(world, refund_case, 100, actor=world.outsider)
    for who in (world.zhang, world.li, world.zhao):
        row = ask(world, refund_case, 100, actor=who)
        approval_withdraw(actor=who, request=row, now=timezone.now())


def test_a_pending_refund_blocks_filing_and_the_grant_lets_it_through(world, refund_case):
    row = ask(world, refund_case, 38000)
    with pytest.raises(ValidationFailed) as info:
        move(world.li, refund_case, "in_progress")
    assert info.value.message == "须经部门经理审批：加急退税（待审批）。"
    assert Case.objects.get(pk=refund_case.pk).state == "accepted"
    # Other moves are not held back.
    assert move(world.li, refund_case, "materials").state == "materials"
    decide(world.chen, row)
    assert move(world.li, refund_case, "in_progress").state == "in_progress"


def test_a_denial_blocks_until_a_later_request_is_granted(world, refund_case):
    denied = decide(world.chen, ask(world, refund_case, 38000), grant=False, reason="材料不全")
    assert AuditEvent.objects.get(kind="approval.denied").payload["reason"] == "材料不全"
    with pytest.raises(ValidationFailed, match=r"须经部门经理审批：加急退税（已驳回）"):
        move(world.li, refund_case, "in_progress")
    with pytest.raises(ValidationFailed, match="已由chen处理（已驳回），不能再次操作"):
        decide(world.chen, denied)
    again = ask(world, refund_case, 38000, justification="材料已补齐")
    decide(world.chen, again)
    assert move(world.li, refund_case, "in_progress").state == "in_progress"


def test_a_withdrawn_request_counts_as_never_made_and_only_the_requester_withdraws(
    world, refund_case
):
    row = ask(world, refund_case, 100)
    with pytest.raises(NotAllowed, match="只有申请人本人可以撤回"):
        approval_withdraw(actor=world.chen, request=row, now=timezone.now())
    approval_withdraw(actor=world.li, request=row, now=timezone.now())
    assert AuditEvent.objects.filter(kind="approval.withdrawn", case=refund_case).count() == 1
    # Withdrawn is as if never asked: an expedited refund still needs its approval to start.
    with pytest.raises(ValidationFailed, match="加急退税须先经审批"):
        move(world.li, refund_case, "in_progress")


def test_a_new_request_cannot_point_elsewhere_to_lift_a_denial(world, refund_case):
    row = ask(world, refund_case, 100)
    decide(world.chen, row, grant=False)
    before = ApprovalRequest.objects.count()
    with pytest.raises(ValidationFailed, match="不能改为其他状态"):
        approval_request(
            actor=world.li,
            case=refund_case,
            action="refund",
            amount=100,
            justification="再试一次",
            now=timezone.now(),
            blocks="accepted",
        )
    assert ApprovalRequest.objects.count() == before
    with pytest.raises(ValidationFailed, match="已驳回"):
        move(world.li, refund_case, "in_progress")


def test_accepting_an_infeasible_case_needs_a_granted_approval(world, infeasible):
    with pytest.raises(ValidationFailed) as info:
        move(world.zhang, infeasible, "accepted")
    assert "接受前须经部门经理审批" in info.value.message
    assert "申请“接受无法按期完成的加急单”" in info.value.message
    row = ask(world, infeasible, action="accept_infeasible", actor=world.zhang)
    assert row.blocks == "accepted" and row.amount is None
    with pytest.raises(ValidationFailed) as info:
        move(world.zhang, infeasible, "accepted")
    assert info.value.message == "须经部门经理审批：接受无法按期完成的加急单（待审批）。"
    decide(world.chen, row, reason="客户书面接受延期")
    assert move(world.zhang, infeasible, "accepted").state == "accepted"


def test_a_surcharge_waiver_blocks_acceptance(world, infeasible):
    ask(world, infeasible, 500, action="surcharge_waiver")
    ask(world, infeasible, action="accept_infeasible", actor=world.zhang)
    decide(world.chen, ApprovalRequest.objects.get(action="accept_infeasible"))
    with pytest.raises(ValidationFailed, match="须经部门经理审批：减免加急费（待审批）"):
        move(world.zhang, infeasible, "accepted")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": None}, "“加急退税”须填写金额"),
        ({"amount": "abc"}, "金额应为数字"),
        ({"amount": "-5"}, "金额不合理"),
        ({"amount": "1.001"}, "金额最多精确到分"),
        ({"amount": 100, "justification": "  "}, "请填写申请理由"),
        ({"amount": 100, "action": "bribe"}, "请选择审批事项"),
        ({"amount": 100, "action": "accept_infeasible"}, "不涉及金额"),
        ({"action": "accept_infeasible"}, "研判结论不是“无法按期完成”"),
        ({"amount": 100, "blocks": "closed"}, "不能改为其他状态"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(world, refund_case, kwargs, message):
    before = written()
    with pytest.raises(ValidationFailed, match=message):
        ask(world, refund_case, **kwargs)
    assert written() == before


def test_one_pending_request_per_action_and_a_decision_needs_a_reason(world, refund_case):
    row = ask(world, refund_case, 100)
    before = written()
    with pytest.raises(ValidationFailed, match="已有待审批的“加急退税”申请"):
        ask(world, refund_case, 200)
    with pytest.raises(ValidationFailed, match="请填写审批意见"):
        decide(world.chen, row, reason="")
    assert written() == before
    assert ApprovalRequest.objects.get(pk=row.pk).status == "pending"


def test_no_approvals_on_a_finished_case(world, refund_case):
    case = move(world.zhang, refund_case, "cancelled", reason="客户撤单")
    with pytest.raises(ValidationFailed, match="加急单已结束"):
        ask(world, case, 100)


def _matrix_form(rows, note="减少审批层级"):
    form = {
        "note": note,
        "rules-TOTAL_FORMS": str(len(rows)),
        "rules-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        form[f"rules-{i}-id"] = row.get("id", "")
        form[f"rules-{i}-action"] = "refund"
        form[f"rules-{i}-min_amount"] = row["min"]
        form[f"rules-{i}-max_amount"] = row.get("max", "")
        form[f"rules-{i}-role"] = row["role"]
        if row.get("delete"):
            form[f"rules-{i}-DELETE"] = "on"
    return form


def test_moving_the_boundary_in_the_admin_is_audited_and_an_overlap_is_refused(client, world):
    client.login(username="root", password=PASSWORD)
    url = reverse("admin:approvals_approvalpolicy_change", args=["refund"])
    assert client.get(url).status_code == 200
    low, high = ApprovalRule.objects.filter(action="refund").order_by("min_amount")
    before = AuditEvent.objects.count()
    overlap = _matrix_form(
        [
            {"id": low.pk, "min": "0", "max": "100000", "role": "manager"},
            {"id": high.pk, "min": "50000", "role": "general_manager"},
        ]
    )
    response = client.post(url, overlap)
    assert response.status_code == 200
    assert "0–100,000 元与50,000 元及以上重叠" in response.content.decode()
    assert AuditEvent.objects.count() == before
    assert ApprovalRule.objects.get(pk=low.pk).max_amount == Decimal(50000)
    # Both rows move together, and a third tier is added in the same change.
    moved = _matrix_form(
        [
            {"id": low.pk, "min": "0", "max": "100000", "role": "manager"},
            {"id": high.pk, "min": "100000", "max": "1000000", "role": "general_manager"},
            {"min": "1000000", "role": "general_manager"},
        ]
    )
    response = client.post(url, moved)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(kind="approval.rules_changed")
    assert event.actor == "root" and event.payload["action"] == "refund"
    assert event.payload["before"]["rules"][0] == {
        "min": "0.00",
        "max": "50000.00",
        "role": "manager",
    }
    assert [r["min"] for r in event.payload["after"]["rules"]] == [
        "0.00",
        "100000.00",
        "1000000.00",
    ]
    assert required_role(current_rules(), ApprovalAction.REFUND, Decimal(80000)).value == "manager"


def test_deleting_a_tier_in_the_admin_that_leaves_a_gap_is_refused(client, world):
    client.login(username="root", password=PASSWORD)
    url = reverse("admin:approvals_approvalpolicy_change", args=["refund"])
    low, high = ApprovalRule.objects.filter(action="refund").order_by("min_amount")
    form = _matrix_form(
        [
            {"id": low.pk, "min": "0", "max": "50000", "role": "manager"},
            {"id": high.pk, "min": "50000", "role": "general_manager", "delete": True},
        ]
    )
    response = client.post(url, form)
    assert "50,000 元及以上没有规定审批人" in response.content.decode()
    assert ApprovalRule.objects.filter(action="refund").count() == 2
    assert not AuditEvent.objects.filter(kind="approval.rules_changed").exists()


def test_the_case_page_and_the_inbox(client, world, refund_case):
    client.login(username="li", password=PASSWORD)
    page = reverse("case_detail", args=[refund_case.pk])
    html = client.get(page).content.decode()
    assert 'id="approvals"' in html and "申请审批" in html
    response = client.post(
        reverse("approval_create", args=[refund_case.pk]),
        {"action": "refund", "amount": "", "justification": "月底到账"},
        follow=True,
    )
    assert "“加急退税”须填写金额" in response.content.decode()
    assert not ApprovalRequest.objects.exists()
    client.post(
        reverse("approval_create", args=[refund_case.pk]),
        {"action": "refund", "amount": "38000", "justification": "月底到账"},
    )
    row = ApprovalRequest.objects.get()
    html = client.get(page).content.decode()
    assert "待审批" in html and "撤回申请" in html and 'value="grant"' not in html

    client.login(username="chen", password=PASSWORD)
    inbox = client.get(reverse("approval_inbox")).content.decode()
    assert refund_case.reference in inbox and 'value="grant"' in inbox
    decide_url = reverse("approval_decide", args=[row.pk])
    response = client.post(
        decide_url, {"decision": "grant", "reason": "", "next": "/approvals/"}, follow=True
    )
    assert "请填写审批意见" in response.content.decode()
    assert ApprovalRequest.objects.get().status == "pending"
    response = client.post(
        decide_url, {"decision": "grant", "reason": "同意", "next": "/approvals/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/approvals/"
    assert "没有待您审批的申请" in response.content.decode()
    assert ApprovalRequest.objects.get().status == "granted"

    client.login(username="wang", password=PASSWORD)
    assert "您的角色不审批" in client.get(reverse("approval_inbox")).content.decode()
    client.login(username="outsider", password=PASSWORD)
    assert client.get(reverse("approval_inbox")).status_code == 403


def test_the_api(client, world, refund_case):
    def auth(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')[1]}"}

    li, chen = auth(world.li), auth(world.chen)
    url = f"/api/v1/cases/{refund_case.pk}/approvals"
    response = client.post(
        url, {"action": "refund", "justification": "x"}, content_type="application/json", **li
    )
    assert response.status_code == 422
    assert "须填写金额" in response.json()["detail"][0]["message"]
    response = client.post(
        url,
        {"action": "refund", "amount": 38000, "justification": "月底到账"},
        content_type="application/json",
        **li,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["required_role"] == "manager" and body["status"] == "pending"
    moved = client.post(
        f"/api/v1/cases/{refund_case.pk}/transitions",
        {"to": "in_progress"},
        content_type="application/json",
        **li,
    )
    assert moved.status_code == 422
    assert moved.json()["detail"][0]["message"] == "须经部门经理审批：加急退税（待审批）。"
    listed = client.get(url, **chen).json()
    assert [(a["id"], a["may_decide"]) for a in listed] == [(body["id"], True)]

    decision = f"/api/v1/approvals/{body['id']}/decision"
    own = client.post(
        decision, {"grant": True, "reason": "自批"}, content_type="application/json", **li
    )
    assert own.status_code == 403
    assert "不能审批自己提交的申请" in own.json()["detail"][0]["message"]
    missing = client.post(decision, {"grant": True}, content_type="application/json", **chen)
    assert missing.status_code == 422
    empty = client.post(
        decision, {"grant": True, "reason": " "}, content_type="application/json", **chen
    )
    assert empty.status_code == 422 and "请填写审批意见" in empty.json()["detail"][0]["message"]
    assert ApprovalRequest.objects.get().status == "pending"
    granted = client.post(
        decision, {"grant": True, "reason": "同意"}, content_type="application/json", **chen
    )
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    again = client.post(
        decision, {"grant": False, "reason": "改主意"}, content_type="application/json", **chen
    )
    assert again.status_code == 422 and "不能再次操作" in again.json()["detail"][0]["message"]
    moved = client.post(
        f"/api/v1/cases/{refund_case.pk}/transitions",
        {"to": "in_progress"},
        content_type="application/json",
        **li,
    )
    assert moved.status_code == 200 and moved.json()["state"] == "in_progress"
    assert (
        client.post(
            decision, {"grant": True, "reason": "x"}, content_type="application/json"
        ).status_code
        == 401
    )


def test_the_demo_shows_a_pending_and_a_granted_request(world):
    from expedite.ops.demo import demo_load

    demo_load(now=timezone.now())
    demo_load(now=timezone.now())
    pending = ApprovalRequest.objects.get(status="pending")
    assert (pending.action, pending.case.verdict) == ("accept_infeasible", "infeasible")
    assert list(pending_for(User.objects.get(username="chenjing"))) == [pending]
    # The VAT refund of the review demo was signed off by the department manager (< 50,000)
    # before its filing started.
    refund = ApprovalRequest.objects.get(action="refund")
    assert (refund.status, refund.required_role, refund.decided_by.username) == (
        "granted",
        "manager",
        "chenjing",
    )
    started = AuditEvent.objects.filter(
        case=refund.case, kind="case.state_changed", payload__to="in_progress"
    ).order_by("seq")[0]
    granted = AuditEvent.objects.get(case=refund.case, kind="approval.granted")
    assert granted.seq < started.seq


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need a server")
def test_two_concurrent_decisions_cannot_both_succeed(world, refund_case):
    from django.db import connections

    row = ask(world, refund_case, 100)
    results = []

    def attempt(actor, grant):
        try:
            decide(actor, row, grant=grant)
            results.append("granted" if grant else "denied")
        except ValidationFailed:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=(world.chen, True)),
        threading.Thread(target=attempt, args=(world.liu, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("refused") == 1
    assert AuditEvent.objects.filter(kind__in=["approval.granted", "approval.denied"]).count() == 1


def test_a_refund_split_in_two_is_routed_by_its_total(world, refund_case):
    """Two refunds of 30,000 on one case are a refund of 60,000: the general manager's."""
    first = ask(world, refund_case, 30000)
    assert first.required_role == "manager"
    decide(world.chen, first)
    second = ask(world, refund_case, 30000)
    assert second.required_role == "general_manager"
    event = AuditEvent.objects.filter(kind="approval.requested").last()
    assert event.payload["total"] == "60000.00"
    before = written()
    with pytest.raises(NotAllowed) as info:
        decide(world.chen, second)
    assert info.value.message == (
        "本案“加急退税”此前已申请或已批准 30,000 元，连同此申请共 60,000 元，"
        "须由总经理或更高级别审批，您无权审批。"
    )
    assert written() == before
    assert list(pending_for(world.chen)) == []
    assert decide(world.liu, second).status == "granted"


def test_denied_and_withdrawn_requests_do_not_count_towards_the_total(world, refund_case):
    decide(world.chen, ask(world, refund_case, 30000), grant=False, reason="材料不全")
    approval_withdraw(actor=world.li, request=ask(world, refund_case, 30000), now=timezone.now())
    assert ask(world, refund_case, 30000).required_role == "manager"


def test_a_total_is_per_case_and_per_action(world, refund_case, infeasible):
    decide(world.chen, ask(world, refund_case, 30000))
    # Another case's refund and this case's waiver start from nothing.
    other = ask(world, infeasible, 30000)
    assert other.required_role == "manager"
    waiver = ask(world, refund_case, 30000, action="surcharge_waiver")
    assert waiver.required_role == "manager"


def test_a_request_routed_low_before_is_granted_only_by_the_totals_approver(world, refund_case):
    """A pending request whose routing ignored an earlier grant (made before totals counted, or
    under a matrix since changed) is still decided by the authority for the total."""
    decide(world.chen, ask(world, refund_case, 30000))
    second = ApprovalRequest.objects.create(
        case=refund_case,
        action="refund",
        amount=Decimal(30000),
        blocks="in_progress",
        justification="旧申请",
        requested_by=world.li,
        requested_at=timezone.now(),
        required_role="manager",
    )
    with pytest.raises(NotAllowed, match="共 60,000 元，须由总经理或更高级别审批"):
        decide(world.chen, second)
    assert ApprovalRequest.objects.get(pk=second.pk).status == "pending"
    # Refusing needs no more authority than the request was routed to.
    assert decide(world.chen, second, grant=False, reason="超出权限，请重新申请").status == "denied"


def test_a_split_refund_on_the_case_page(client, world, refund_case):
    client.login(username="li", password=PASSWORD)
    create = reverse("approval_create", args=[refund_case.pk])
    client.post(create, {"action": "refund", "amount": "30000", "justification": "第一笔"})
    first = ApprovalRequest.objects.get()
    client.login(username="chen", password=PASSWORD)
    client.post(
        reverse("approval_decide", args=[first.pk]), {"decision": "grant", "reason": "同意"}
    )
    assert ApprovalRequest.objects.get(pk=first.pk).status == "granted"
    client.login(username="li", password=PASSWORD)
    client.post(create, {"action": "refund", "amount": "30,000", "justification": "第二笔"})
    second = ApprovalRequest.objects.exclude(pk=first.pk).get()
    assert second.required_role == "general_manager"
    client.login(username="chen", password=PASSWORD)
    assert refund_case.reference not in client.get(reverse("approval_inbox")).content.decode()
    response = client.post(
        reverse("approval_decide", args=[second.pk]),
        {"decision": "grant", "reason": "同意"},
        follow=True,
    )
    assert "共 60,000 元，须由总经理或更高级别审批" in response.content.decode()
    assert ApprovalRequest.objects.get(pk=second.pk).status == "pending"

    client.login(username="liu", password=PASSWORD)
    client.post(
        reverse("approval_decide", args=[second.pk]), {"decision": "grant", "reason": "同意"}
    )
    assert ApprovalRequest.objects.get(pk=second.pk).status == "granted"


def test_a_split_refund_over_the_api(client, world, refund_case):
    def auth(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')[1]}"}

    li, chen = auth(world.li), auth(world.chen)
    url = f"/api/v1/cases/{refund_case.pk}/approvals"
    body = {"action": "refund", "amount": 30000, "justification": "分笔退税"}

    def grant(row_id, who):
        return client.post(
            f"/api/v1/approvals/{row_id}/decision",
            {"grant": True, "reason": "同意"},
            content_type="application/json",
            **who,
        )

    first = client.post(url, body, content_type="application/json", **li).json()
    assert first["required_role"] == "manager"
    assert grant(first["id"], chen).status_code == 200
    second = client.post(url, body, content_type="application/json", **li).json()
    assert second["required_role"] == "general_manager"
    refused = grant(second["id"], chen)
    assert refused.status_code == 403
    assert "共 60,000 元，须由总经理或更高级别审批" in refused.json()["detail"][0]["message"]
    assert ApprovalRequest.objects.get(pk=second["id"]).status == "pending"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need a server")
def test_two_refunds_asked_at_once_are_not_both_routed_low(world, refund_case):
    """The case row is locked while the total is counted: of two requests made at once, one
    waits for the other and then sees it (and is refused as a second pending request)."""
    from django.db import connections

    results = []
    barrier = threading.Barrier(2)

    def attempt():
        try:
            barrier.wait()
            results.append(ask(world, refund_case, 30000).required_role)
        except ValidationFailed:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["manager", "refused"]
    assert ApprovalRequest.objects.filter(status="pending").count() == 1
