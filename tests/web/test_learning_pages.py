"""The survey on the portal, the 复盘 form on the case page, follow-ups and the handbook pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from expedite.cases.models import Case
from expedite.cases.plans import current_catalog
from expedite.domain.roles import Role
from expedite.learning.models import Feedback, FollowUp, HandbookEntry, Retrospective
from expedite.learning.services import feedback_submit
from expedite.portal.links import portal_path
from tests.conftest import PASSWORD
from tests.web.learning_helpers import case_at
from tests.web.materials_helpers import verify_client

pytestmark = pytest.mark.django_db


def test_the_portal_asks_for_verification_then_takes_the_survey_once(client, world):
    case = case_at(world)
    page = portal_path(case)
    response = client.get(page)
    assert 'id="survey"' in response.text and "评价前请先验证身份" in response.text
    post = page + "feedback/"
    answer = {"timeliness": "5", "communication": "4", "result": "5", "comment": "很好"}
    assert client.post(post, answer).status_code == 302
    assert not Feedback.objects.exists()  # not verified: nothing stored

    verify_client(client, case)
    response = client.get(page)
    assert 'name="timeliness"' in response.text
    response = client.post(post, {**answer, "result": "9"}, follow=True)
    assert "请选择 1 到 5 分" in response.text and not Feedback.objects.exists()
    response = client.post(post, answer, follow=True)
    assert "感谢您的评价" in response.text
    assert Feedback.objects.get(case=case).average == 4.67
    response = client.post(post, {**answer, "timeliness": "1"}, follow=True)
    assert "您已评价过本单" in response.text
    assert Feedback.objects.get(case=case).timeliness == 5


def test_no_survey_before_the_delivery_is_confirmed(client, world):
    case = case_at(world, "delivered")
    assert 'id="survey"' not in client.get(portal_path(case)).text


def test_the_case_page_demands_the_retrospective_and_saves_it(client, world):
    case = case_at(world)
    feedback_submit(
        case=case,
        contact="周婷",
        scores={"timeliness": 1, "communication": 3, "result": 4},
        comment="",
        now=timezone.now(),
    )
    client.login(username="zhang", password=PASSWORD)
    # The 复盘 sits below the work: the page loads it once scrolled into view.
    page = reverse("case_panel", args=[case.pk, "retrospective"])
    assert page in client.get(reverse("case_detail", args=[case.pk])).text
    text = client.get(page).text
    assert "结案前须完成复盘" in text and "客户评分偏低" in text
    response = client.post(reverse("case_move", args=[case.pk]), {"to": "closed"}, follow=True)
    assert "须先在加急单页面的“复盘”处完成复盘" in response.text
    assert Case.objects.get(pk=case.pk).state == "confirmed"
    client.post(
        reverse("case_retrospective", args=[case.pk]),
        {"went_well": "容缺受理省了 2 天", "to_improve": "", "actions": ""},
    )
    assert not Retrospective.objects.exists()
    client.post(
        reverse("case_retrospective", args=[case.pk]),
        {
            "went_well": "容缺受理省了 2 天",
            "to_improve": "材料预审要更严格",
            "actions": "预审加查签字\n\n",
        },
    )
    row = Retrospective.objects.get(case=case)
    assert row.actions == ["预审加查签字"]
    assert "转入优化手册" in client.get(page).text
    client.post(reverse("case_move", args=[case.pk]), {"to": "closed"})
    assert Case.objects.get(pk=case.pk).state == "closed"


def test_managers_see_and_resolve_follow_ups_others_may_not(client, world):
    case = case_at(world)
    feedback_submit(
        case=case,
        contact="周婷",
        scores={"timeliness": 2, "communication": 2, "result": 4},
        comment="沟通不及时",
        now=timezone.now(),
    )
    follow_up = FollowUp.objects.get()
    client.login(username="zhang", password=PASSWORD)
    assert client.get(reverse("follow_up_list")).status_code == 403
    assert (
        client.post(reverse("follow_up_resolve", args=[follow_up.pk]), {"note": "x"}).status_code
        == 403
    )
    client.login(username="chen", password=PASSWORD)
    text = client.get(reverse("follow_up_list")).text
    assert "沟通不及时" in text and f'id="follow-up-{follow_up.pk}"' in text
    client.post(reverse("follow_up_resolve", args=[follow_up.pk]), {"note": "已电话回访"})
    assert FollowUp.objects.get().note == "已电话回访"
    assert "没有待跟进的差评" in client.get(reverse("follow_up_list")).text


def test_the_handbook_shows_planned_against_actual_and_takes_a_proposal(client, world, make_user):
    make_user("ops", Role.ADMIN)
    client.login(username="li", password=PASSWORD)
    page = reverse("handbook_service", args=["business-change"])
    assert "还没有已完成的步骤可供统计" in client.get(page).text
    response = client.post(
        reverse("handbook_entry_add", args=["business-change"]),
        {
            "title": "初审可半天完成",
            "step": "first-review",
            "change_kind": "duration",
            "amount": "-1",
            "unit": "hours",
        },
        follow=True,
    )
    assert "请填写大于零的时长" in response.text and not HandbookEntry.objects.exists()
    client.post(
        reverse("handbook_entry_add", args=["business-change"]),
        {
            "title": "初审可半天完成",
            "step": "first-review",
            "change_kind": "duration",
            "amount": "4",
            "unit": "hours",
        },
    )
    entry = HandbookEntry.objects.get()
    assert entry.status == "pending" and entry.change["duration"] == {"hours": 4.0}
    decide = reverse("handbook_decide", args=[entry.pk])
    assert client.post(decide, {"decision": "accept", "reason": "好"}).status_code == 302
    assert HandbookEntry.objects.get().status == "pending"  # refused: a message, nothing else
    client.login(username="ops", password=PASSWORD)
    text = client.get(reverse("handbook")).text
    assert "待审定的目录修改" in text and 'name="decision"' in text
    client.post(
        decide,
        {"decision": "accept", "reason": "近 5 单均半天内完成", "next": "https://evil.example/"},
    )
    assert HandbookEntry.objects.get().status == "accepted"
    assert current_catalog().get("business-change").step("first-review").duration.hours == 4
    text = client.get(reverse("handbook")).text
    assert "r1" in text and "4 小时" in text


def test_a_retrospective_action_becomes_one_handbook_entry(client, world):
    case = case_at(world)
    client.login(username="zhang", password=PASSWORD)
    client.post(
        reverse("case_retrospective", args=[case.pk]),
        {"went_well": "容缺受理", "to_improve": "预审", "actions": "预审加查签字"},
    )
    retro = Retrospective.objects.get(case=case)
    page = reverse("handbook_service", args=["business-change"])
    form = client.get(page, {"retro": retro.pk, "action": 0}).text
    assert 'value="预审加查签字"' in form and case.reference in form
    add = reverse("handbook_entry_add", args=["business-change"])
    fields = {"retro": retro.pk, "action": 0, "title": "预审加查签字", "step": "prepare"}
    client.post(add, fields)
    response = client.post(add, fields, follow=True)
    assert "这条措施已转入优化手册" in response.text
    entry = HandbookEntry.objects.get()
    assert entry.retrospective == retro and entry.status == ""
    assert "已入优化手册" in client.get(reverse("case_panel", args=[case.pk, "retrospective"])).text
    # An action in the handbook stays in the 复盘.
    response = client.post(
        reverse("case_retrospective", args=[case.pk]),
        {"went_well": "容缺受理", "to_improve": "预审", "actions": ""},
        follow=True,
    )
    assert "已转入优化手册的措施不能删除" in response.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"change_kind": "rename"}, "有效"),
        ({"change_kind": "checklist", "item": "  "}, "请填写要新增的检查项"),
        ({"change_kind": "checklist", "item": "查" * 121}, "120"),
        ({"change_kind": "lever", "lever_code": "e-sign"}, "请选择加急手段的类型"),
        (
            {"change_kind": "lever", "lever_kind": "compress", "lever_code": "e-sign"},
            "加急手段须填写代码、名称和理由",
        ),
        (
            {
                "change_kind": "lever",
                "lever_kind": "compress",
                "lever_code": "e-sign",
                "lever_name": "电子签\x00",
                "lever_reason": "当日签署",
                "amount": "1",
            },
            "空字符",
        ),
        (
            {
                "change_kind": "lever",
                "lever_kind": "compress",
                "lever_code": "e-sign",
                "lever_name": "电子签",
                "lever_reason": "当日签署",
                "amount": "1e400",
            },
            "时长：",
        ),
    ],
)
def test_a_proposed_catalog_change_is_refused_as_a_whole_and_nothing_is_written(
    client, world, change, message
):
    client.login(username="li", password=PASSWORD)
    response = client.post(
        reverse("handbook_entry_add", args=["business-change"]),
        {"title": "初审可半天完成", "step": "first-review", **change},
        follow=True,
    )
    assert message in response.text
    assert not HandbookEntry.objects.exists()


def test_a_lever_proposal_goes_through_with_its_duration(client, world):
    client.login(username="li", password=PASSWORD)
    client.post(
        reverse("handbook_entry_add", args=["business-change"]),
        {
            "title": "电子签章当日签署",
            "step": "first-review",
            "change_kind": "lever",
            "lever_kind": "compress",
            "lever_code": "E Sign",
            "lever_name": "电子签章",
            "lever_reason": "客户当日签署",
            "amount": "2",
            "unit": "hours",
        },
    )
    lever = HandbookEntry.objects.get().change["lever"]
    assert lever["code"] == "e-sign" and lever["to"] == {"hours": 2.0}
