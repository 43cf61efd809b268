"""The client's survey on the portal page, once the delivery is confirmed.

A section of the portal page (registered in LearningConfig.ready).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.feedback import FIELDS
from expedite.portal.access import client_verified
from expedite.portal.views import portal_view

from .forms import SurveyForm
from .selectors import feedback_for
from .services import SURVEY_STATES, feedback_submit


def portal_context(request, case) -> dict:
    if case.state not in SURVEY_STATES:
        return {"survey": None}
    return {
        "survey": {
            "feedback": feedback_for(case),
            "verified": client_verified(request, case, now=clock.now()) is not None,
            "questions": [
                ("timeliness", _("时效：是否按承诺的时间办好")),
                ("communication", _("沟通：进度是否及时告知、问题是否说清楚")),
                ("result", _("结果：办理结果是否符合您的要求")),
            ],
        }
    }


def _page(token: str, anchor: str = "survey"):
    return redirect(reverse("portal_case", args=[token]) + f"#{anchor}")


@require_POST
def portal_feedback(request, token: str):
    # The portal's own wrapper: throttle, the same 404 for every bad link, private headers.
    return portal_view(_feedback)(request, token)


def _feedback(request, case, token: str):
    contact = client_verified(request, case, now=clock.now())
    if contact is None:
        messages.error(request, _("评价前请先验证身份：在本页“验证身份”处获取并输入验证码。"))
        return _page(token, "todo")
    form = SurveyForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _page(token)
    try:
        feedback_submit(
            case=case,
            contact=contact,
            scores={f: form.cleaned_data[f] or None for f in FIELDS},
            comment=form.cleaned_data["comment"],
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("感谢您的评价！我们会认真改进。"))
    return _page(token)
