"""双重复核: the handler's self-check, a supervisor's review by someone else, then delivery."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.accounts.services import api_token_create
from expedite.approvals.services import approval_decide, approval_request
from expedite.audit.models import AuditEvent
from expedite.cases.lifecycle import case_transition
from expedite.cases.models import Case, CatalogVersion
from expedite.cases.services import catalog_sync
from expedite.catalog import default_catalog_text
from expedite.domain.calendar import SHANGHAI
from expedite.domain.catalog import parse_catalog
from expedite.domain.errors import NotAllowed, ValidationFailed
from expedite.reviews.models import Review, ReviewFinding
from expedite.reviews.selectors import caught_errors, current_round, review_checklist
from expedite.reviews.services import FindingInput, self_check, supervisor_review
from tests.conftest import PASSWORD
from tests.factories import moved
from tests.web.delivery_helpers import add_result

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(
        service="vat-credit-refund",
        days=40,
        reason="留抵退税",
        facts={},
        states=("quoted", "accepted"),
    ),
]

MIX_UP = "即征即退与免抵退项目是否填对"


@pytest.fixture
def case(case, world):
    """The shared refund case with its refund approved (filing waits for it), then in review."""
    refund = approval_request(
        actor=world.li,
        case=case,
        action="refund",
        amount=38000,
        justification="留抵退税 38,000 元",
        now=timezone.now(),
    )
    approval_decide(actor=world.chen, request=refund, grant=True, reason="同意", now=timezone.now())
    case = moved(world, case, "in_progress", "review")
    add_result(world, case)  # delivery needs a reviewed result file
    return case


def answers(case, problems=None):
    problems = problems or {}
    return [
        {"item": i, "ok": i not in problems, "note": problems.get(i, "")}
        for i in review_checklist(case)
    ]


def written(case):
    return (
        Review.objects.filter(case=case).count(),
        ReviewFinding.objects.filter(review__case=case).count(),
        AuditEvent.objects.filter(case=case).count(),
        Case.objects.get(pk=case.pk).state,
    )


def deliver(world, case):
    return case_transition(actor=world.zhang, case=case, to="delivered", now=timezone.now())


def test_the_checklist_is_the_services_own(case):
    checklist = review_checklist(case)
    assert checklist[:3] == ("税率适用是否正确", "申报数据与财务报表是否一致", "是否漏缴附加税")
    assert MIX_UP in checklist


def test_self_check_then_another_supervisor_then_delivery(world, case):
    mine = self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    assert mine.passed and mine.round == 1
    theirs = supervisor_review(
        actor=world.zhao, case=case, results=answers(case), now=timezone.now()
    )
    assert theirs.passed and theirs.round == 1
    assert deliver(world, case).state == "delivered"
    kinds = list(AuditEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("review.self_checked") == 1 and kinds.count("review.reviewed") == 1
    event = AuditEvent.objects.get(case=case, kind="review.reviewed")
    assert event.payload["passed"] is True and event.payload["round"] == 1


def test_the_self_checker_may_not_review_their_own_work_and_nothing_is_written(world, case):
    self_check(actor=world.zhao, case=case, results=answers(case), now=timezone.now())
    before = written(case)
    with pytest.raises(NotAllowed, match="四眼原则"):
        supervisor_review(actor=world.zhao, case=case, results=answers(case), now=timezone.now())
    assert written(case) == before
    with pytest.raises(ValidationFailed, match="缺少主管复核"):
        deliver(world, case)


def test_four_eyes_through_the_api_is_a_403_and_nothing_is_written(client, world, case):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.zhao, name='t')[1]}"}
    url = f"/api/v1/cases/{case.pk}/reviews"
    body = {"stage": "self_check", "results": answers(case)}
    response = client.post(url, body, content_type="application/json", **auth)
    assert response.status_code == 201 and response.json()["passed"] is True
    before = written(case)
    body = {"stage": "supervisor", "results": answers(case), "findings": []}
    response = client.post(url, body, content_type="application/json", **auth)
    assert response.status_code == 403
    assert "四眼原则" in response.json()["detail"][0]["message"]
    assert written(case) == before


def test_four_eyes_on_the_page_the_handler_gets_no_form_and_a_post_is_refused(client, world, case):
    self_check(actor=world.zhao, case=case, results=answers(case), now=timezone.now())
    client.login(username="zhao", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "您是本单的经办人" in html
    assert reverse("case_supervisor_review", args=[case.pk]) not in html
    before = written(case)
    post = {f"ok_{i}": "ok" for i in range(len(review_checklist(case)))}
    page = client.post(reverse("case_supervisor_review", args=[case.pk]), post, follow=True)
    assert "四眼原则" in page.content.decode()
    assert written(case) == before
    client.login(username="chen", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert reverse("case_supervisor_review", args=[case.pk]) in html
    client.post(reverse("case_supervisor_review", args=[case.pk]), post)
    assert Review.objects.get(case=case, stage="supervisor").reviewer == world.chen


def test_a_self_checker_of_an_earlier_round_may_not_review_a_later_one(world, case):
    self_check(actor=world.chen, case=case, results=answers(case), now=timezone.now())
    problem = {MIX_UP: "填成了免抵退"}
    supervisor_review(
        actor=world.zhao,
        case=case,
        results=answers(case, problem),
        findings=[FindingInput(item=MIX_UP, description="填成了免抵退", correction="改为即征即退")],
        now=timezone.now(),
    )
    case = case_transition(actor=world.li, case=case, to="review", now=timezone.now())
    self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    with pytest.raises(NotAllowed, match="四眼原则"):
        supervisor_review(actor=world.chen, case=case, results=answers(case), now=timezone.now())


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("li", False),
        ("wang", False),
        ("zhang", False),
        ("root", False),
        ("outsider", False),
        ("zhao", True),
        ("chen", True),
        ("liu", True),
    ],
)
def test_only_a_supervisor_or_above_reviews(world, case, who, allowed):
    handler = world.li if who != "li" else world.zhang
    self_check(actor=handler, case=case, results=answers(case), now=timezone.now())
    actor = getattr(world, who)
    if allowed:
        supervisor_review(actor=actor, case=case, results=answers(case), now=timezone.now())
        assert Review.objects.filter(case=case, stage="supervisor", reviewer=actor).exists()
    else:
        before = written(case)
        with pytest.raises(NotAllowed):
            supervisor_review(actor=actor, case=case, results=answers(case), now=timezone.now())
        assert written(case) == before


def test_every_item_must_be_answered_and_a_problem_needs_a_note(world, case):
    before = written(case)
    partial = answers(case)[:-1]
    with pytest.raises(ValidationFailed, match=f"尚未回答：{review_checklist(case)[-1]}"):
        self_check(actor=world.li, case=case, results=partial, now=timezone.now())
    unanswered = [{**a, "ok": None} if a["item"] == MIX_UP else a for a in answers(case)]
    with pytest.raises(ValidationFailed, match=f"尚未回答：{MIX_UP}"):
        self_check(actor=world.li, case=case, results=unanswered, now=timezone.now())
    silent = answers(case, {MIX_UP: "   "})
    with pytest.raises(ValidationFailed, match="请写明问题所在"):
        self_check(actor=world.li, case=case, results=silent, now=timezone.now())
    stranger = [*answers(case), {"item": "字体是否好看", "ok": True}]
    with pytest.raises(ValidationFailed, match="不在本事项的复核清单中"):
        self_check(actor=world.li, case=case, results=stranger, now=timezone.now())
    assert written(case) == before


def test_a_failed_self_check_is_no_ground_for_the_supervisor(world, case):
    mine = self_check(
        actor=world.li, case=case, results=answers(case, {MIX_UP: "不确定"}), now=timezone.now()
    )
    assert not mine.passed
    with pytest.raises(ValidationFailed, match="自查尚未通过"):
        supervisor_review(actor=world.zhao, case=case, results=answers(case), now=timezone.now())
    with pytest.raises(ValidationFailed, match="缺少通过的经办人自查"):
        deliver(world, case)
    self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=answers(case), now=timezone.now())
    assert deliver(world, case).state == "delivered"


def test_a_problem_needs_a_finding_with_its_correction(world, case):
    self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    before = written(case)
    with pytest.raises(ValidationFailed, match="记录发现的错误及更正"):
        supervisor_review(
            actor=world.zhao,
            case=case,
            results=answers(case, {MIX_UP: "填错"}),
            now=timezone.now(),
        )
    with pytest.raises(ValidationFailed, match="请填写更正"):
        supervisor_review(
            actor=world.zhao,
            case=case,
            results=answers(case, {MIX_UP: "填错"}),
            findings=[FindingInput(item=MIX_UP, description="填错", correction="")],
            now=timezone.now(),
        )
    with pytest.raises(ValidationFailed, match="须对应标为“有问题”的检查项"):
        supervisor_review(
            actor=world.zhao,
            case=case,
            results=answers(case),
            findings=[FindingInput(item=MIX_UP, description="填错", correction="改")],
            now=timezone.now(),
        )
    assert written(case) == before


def test_a_failed_review_sends_the_case_back_and_the_next_entry_is_a_new_round(world, case):
    at = dt.datetime(2026, 11, 26, 10, tzinfo=SHANGHAI)
    self_check(actor=world.li, case=case, results=answers(case), now=at)
    review = supervisor_review(
        actor=world.zhao,
        case=case,
        results=answers(case, {MIX_UP: "即征即退填成了免抵退"}),
        findings=[
            FindingInput(item=MIX_UP, description="即征即退填成了免抵退", correction="改按即征即退")
        ],
        now=at,
    )
    assert not review.passed
    case = Case.objects.get(pk=case.pk)
    assert case.state == "in_progress"
    back = AuditEvent.objects.filter(case=case, kind="case.state_changed").last()
    assert back.payload["to"] == "in_progress" and MIX_UP in back.payload["reason"]
    finding = ReviewFinding.objects.get(review=review)
    assert (finding.item, finding.correction) == (MIX_UP, "改按即征即退")
    with pytest.raises(ValidationFailed, match="只有“复核中”的加急单可以复核"):
        self_check(actor=world.li, case=case, results=answers(case), now=at)

    case = case_transition(actor=world.li, case=case, to="review", now=timezone.now())
    assert current_round(case) == 2
    with pytest.raises(ValidationFailed, match="第 2 轮复核未完成，不能交付：缺少通过的经办人自查"):
        deliver(world, case)
    assert self_check(actor=world.li, case=case, results=answers(case), now=at).round == 2
    supervisor_review(actor=world.zhao, case=case, results=answers(case), now=at)
    assert deliver(world, case).state == "delivered"

    day = at.date()
    kpi = caught_errors(user=world.chen, start=day, end=day)
    assert kpi["total"] == 1
    assert kpi["by_service"] == [
        {"service": "vat-credit-refund", "name": "增值税留抵退税", "count": 1}
    ]
    later = day + dt.timedelta(days=1)
    assert caught_errors(user=world.chen, start=later, end=later)["total"] == 0
    with pytest.raises(NotAllowed):
        caught_errors(user=world.outsider, start=day, end=day)


def test_a_round_is_reviewed_only_once(world, case):
    self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    supervisor_review(actor=world.zhao, case=case, results=answers(case), now=timezone.now())
    with pytest.raises(ValidationFailed, match="自查已通过"):
        self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    with pytest.raises(ValidationFailed, match="已经复核过"):
        supervisor_review(actor=world.chen, case=case, results=answers(case), now=timezone.now())


def test_the_checklist_stays_that_of_the_catalog_the_case_was_opened_under(world, case):
    newer = default_catalog_text().replace(f"      - {MIX_UP}\n", "      - 新检查项\n")
    assert newer != default_catalog_text()
    catalog_sync(catalog=parse_catalog(newer), text=newer, source="newer")
    assert MIX_UP in review_checklist(Case.objects.get(pk=case.pk))
    # A version stored before checklists existed: the current catalog's list stands in.
    kept, in_checklist = [], False
    for line in default_catalog_text().split("\n"):
        if line == "    checklist:":
            in_checklist = True
        elif not (in_checklist and line.startswith("      - ")):
            in_checklist = False
            kept.append(line)
    old_text = "\n".join(kept)
    assert parse_catalog(old_text, strict=False).get("vat-credit-refund").checklist == ()
    old = CatalogVersion.objects.create(text=old_text, digest="old", source="old")
    Case.objects.filter(pk=case.pk).update(catalog_version=old)
    catalog_sync(catalog=parse_catalog(newer), text=newer, source="newest")  # now current again
    assert "新检查项" in review_checklist(Case.objects.get(pk=case.pk))


def test_the_api_lists_rounds_and_refuses_bad_input_with_422(client, world, case):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=world.li, name='t')[1]}"}
    url = f"/api/v1/cases/{case.pk}/reviews"
    response = client.post(
        url,
        {"stage": "self_check", "results": answers(case)[:2]},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422 and "尚未回答" in response.json()["detail"][0]["message"]
    response = client.post(
        url, {"stage": "nonsense", "results": []}, content_type="application/json", **auth
    )
    assert response.status_code == 422
    client.post(
        url,
        {"stage": "self_check", "results": answers(case)},
        content_type="application/json",
        **auth,
    )
    body = client.get(url, **auth).json()
    assert body["round"] == 1 and body["self_checked"] and not body["reviewed"]
    assert MIX_UP in body["checklist"]
    assert [r["stage"] for r in body["reviews"]] == ["self_check"]


def test_the_page_takes_a_self_check_and_shows_the_history(client, world, case):
    client.login(username="li", password=PASSWORD)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="reviews"' in html and MIX_UP in html
    n = len(review_checklist(case))
    post = {f"ok_{i}": "ok" for i in range(n - 1)}
    page = client.post(reverse("case_self_check", args=[case.pk]), post, follow=True)
    assert "尚未回答" in page.content.decode() and not Review.objects.filter(case=case).exists()
    post[f"ok_{n - 1}"] = "ok"
    page = client.post(reverse("case_self_check", args=[case.pk]), post, follow=True)
    assert "自查已通过，等待主管复核" in page.content.decode()
    assert Review.objects.get(case=case).reviewer == world.li


def test_the_demo_shows_a_case_awaiting_review_and_the_caught_mix_up(world, clock):
    from expedite.ops.demo import demo_load
    from expedite.reviews.demo import AWAITING, CAUGHT

    demo_load(now=timezone.now())
    waiting = Case.objects.get(reason=AWAITING)
    assert waiting.state == "review"
    assert [(r.stage, r.passed) for r in waiting.reviews.all()] == [("self_check", True)]
    caught = Case.objects.get(reason=CAUGHT)
    assert caught.state == "delivered"
    finding = ReviewFinding.objects.get(review__case=caught)
    assert finding.item == MIX_UP and "即征即退" in finding.correction
    assert sorted({r.round for r in caught.reviews.all()}) == [1, 2]
    before = Review.objects.count()
    clock.shift(dt.timedelta(days=1))
    demo_load(now=timezone.now())
    assert Review.objects.count() == before


def test_the_assigned_process_specialist_may_not_review_even_without_self_checking(
    world, case, make_user
):
    from django.contrib.auth.models import Group

    from expedite.work.team import team_assign

    lead = make_user("lead", first_name="磊", last_name="孙")
    lead.groups.add(*Group.objects.filter(name__in=["process", "supervisor"]))
    team_assign(actor=world.chen, case=case, choices={"process": lead.pk})
    self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    before = written(case)
    with pytest.raises(NotAllowed, match="四眼原则"):
        supervisor_review(actor=lead, case=case, results=answers(case), now=timezone.now())
    assert written(case) == before


def test_a_supervisor_who_did_steps_of_the_case_may_not_review_it(world, case):
    from expedite.audit.services import audit_record
    from expedite.domain.audit import AuditKind

    # zhao stood in and finished a step: recorded like every step update.
    audit_record(
        kind=AuditKind.STEP_FINISHED, actor=world.zhao, case=case, payload={"step": "prepare"}
    )
    self_check(actor=world.li, case=case, results=answers(case), now=timezone.now())
    with pytest.raises(NotAllowed, match="四眼原则"):
        supervisor_review(actor=world.zhao, case=case, results=answers(case), now=timezone.now())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("ok_0", "maybe", "有效"), ("note_0", "漏\x00签", "空字符"), ("ok_1", "ok\x00", "有效")],
)
def test_the_page_refuses_what_is_no_answer_and_writes_nothing(
    client, world, case, field, value, message
):
    client.login(username="li", password=PASSWORD)
    post = {f"ok_{i}": "ok" for i in range(len(review_checklist(case)))}
    post[field] = value
    events = AuditEvent.objects.count()
    page = client.post(reverse("case_self_check", args=[case.pk]), post, follow=True)
    text = page.content.decode()
    assert page.status_code == 200 and message in text
    assert review_checklist(case)[int(field.split("_")[1])] in text  # names the item
    assert not Review.objects.filter(case=case).exists()
    assert AuditEvent.objects.count() == events
