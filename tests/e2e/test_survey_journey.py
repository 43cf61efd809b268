"""On a phone: the client confirms it is itself, scores the finished case, and cannot score twice."""

import pytest
from playwright.sync_api import expect

from expedite.learning.models import Feedback, FollowUp
from expedite.portal.links import portal_path
from tests.e2e.test_materials_journey import verified_cookie
from tests.web.learning_helpers import case_at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_client_scores_the_confirmed_case_from_a_phone(world, page, live_server):
    case = case_at(world)
    page.goto(live_server.url + portal_path(case))
    survey = page.locator("#survey")
    expect(survey).to_be_visible()
    # Not verified: a pointer to the verification, no form.
    expect(survey.locator("input[type=radio]")).to_have_count(0)
    expect(survey.get_by_role("link")).to_have_attribute("href", portal_path(case) + "verify/")

    page.context.add_cookies([verified_cookie(case, live_server)])
    page.reload()
    expect(survey.locator("input[type=radio]")).to_have_count(15)
    survey.locator("[data-question=timeliness] input[value='2']").check()
    survey.locator("[data-question=communication] input[value='4']").check()
    survey.locator("[data-question=result] input[value='5']").check()
    survey.locator("textarea[name=comment]").fill("日报17点才到，能否改到下午4点？")
    survey.get_by_role("button").click()

    expect(page.locator(".flash")).to_contain_text("感谢您的评价")
    expect(survey).to_contain_text("2 / 5")
    expect(survey.locator("form")).to_have_count(0)  # once per case
    feedback = Feedback.objects.get(case=case)
    assert (feedback.timeliness, feedback.communication, feedback.result) == (2, 4, 5)
    assert FollowUp.objects.get(feedback=feedback).suggestion == {"report_time": "16:00"}
